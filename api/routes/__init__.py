"""One router per feature; :func:`api.app.create_app` mounts them."""
