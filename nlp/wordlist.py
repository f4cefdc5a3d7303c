"""The Swedish word list shared by text repair (ingest) and analysis (nlp).

hunspell-sv's dictionary, installed by its package into the environment, plus the
regional-development domain's own words that it lacks.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

# Words the hunspell dictionary lacks: organisations, programmes, acronyms and
# compounds of the regional-development domain, from the seed documents
# (000, 001, 003) and the template of 002.
DOMAIN_WORDS = """
Tillväxtverket Tillväxtverkets Länsstyrelsen Länsstyrelsens Regionförbundet
Regeringskansliet Näringsdepartementet landsbygdsdepartementet
infrastrukturdepartementet Vinnova Formas Almi Almibolagen
Saminvest Coompanion Reglab Interreg ERUF ESF EFS FRÖ JTF JÄST FÖS RÖL RÖIAB
ÖMS Stor-ÖMS ÖLBF USÖ ORU ORB RUS RUA RUP SKR SME SYV UHR UF KKN KTN NMS NUTS
CPMR ERRIN REVES RATSAM REGLAB HCT BRT CEF ÄIB Dnr DeSO Gysam Stratsys Delmos
Scandria SweLife RaiSE Visita Inkubera Fastun Hopajola Kottaberget Virginska
Sydnärke Sydnärkes Möckeln Tiveden Tivedenområdet Bergslagen Västmanland Sörmland
Östergötland Örebro Örebros Karlskoga Lindesberg Hallsberg Kumla Askersund Laxå
Lekeberg Ljusnarsberg Nora Degerfors Hällefors
regionalfondsprogram regionalfondsprogrammet Regionalfondsprogrammet
strukturfondsprogrammet villkorsbeslut villkorsbeslutet villkorsbeslutets
återrapportering återrapporteringen tjänstepersonnivå tjänstepersonstöd
webbinarier webbinarium webinarier webinarium webinarieform startups
coronapandemin coronapandemins coronarelaterat pandemiåret
industrihubb industrihubben flyghubb kulturnoder strateginod
förinkubation innovationssekosystemet testbäddsmodell samskapa samskapar
signaturleder ledutveckling ledhuvudman naturturismsatsning
stödfrämjarsystem stödfrämjarsystemet sektorstrategier stadsbidrag
kulturskolsamverkan godstransportrådet klimatråd klimatrådet klimatråds
yrkesvuxutbildningar branschvalideringsmodeller branschvalideringsansvariga
projektportföljanalys välfärdsgap applicerbarhet affärsnära
"""


def hunspell_dir() -> Path:
    """Where the hunspell-sv package put its dictionaries (inside the environment)."""
    candidates = [Path(sysconfig.get_path("data")) / "share" / "hunspell",
                  Path(sys.prefix) / "share" / "hunspell"]
    for d in candidates:
        if (d / "sv_SE.dic").is_file():
            return d
    raise FileNotFoundError("sv_SE.dic not found under "
                            + " or ".join(map(str, candidates))
                            + "; install the hunspell-sv package into this environment")
