"""A page with every block (docs/blocks.md) and its pictures, added to a copy of the bakery
demo: for tests/test_blocks*.py and the screenshots in docs/."""
from __future__ import annotations

from pathlib import Path

CLIENT = "baeckerei-sonnenkorn"
URL = "/bloecke/"

PAGE = """---
title: Blöcke
description: "Galerie, Team, Stimmen, Preise, Fragen und Anfahrt der Bäckerei Sonnenkorn."
---

Alles, was eine kleine Bäckerei zeigen möchte, ohne eine Zeile HTML.

## Galerie

::: gallery /images/galerie/
laden.jpg: Der Laden in der Wühlischstraße am Morgen
ofen.jpg: Der Steinofen, seit 1962 in Betrieb
:::

## Unser Team

::: team
name: Jana Brandt
role: Bäckermeisterin, Inhaberin
photo: /images/team/jana.jpg
Führt die Bäckerei in dritter Generation und backt jeden Morgen ab drei Uhr.

name: Ömer Yıldız
role: Konditor
photo: /images/team/oemer.jpg
Verantwortlich für Torten, Stollen und alles mit Sahne.

name: Lena Weiß
role: Verkauf
Kennt jede Stammkundin beim Namen. Fragen Sie sie nach dem [Sortiment](/sortiment/).
:::

## Das sagen unsere Kunden

::: reviews
stars: 5
name: Katrin M.
source: Google, Oktober 2026
Das beste Roggenbrot im Kiez, und immer ein freundliches Wort dazu.

stars: 4
name: Paul S.
Samstags lange Schlange, aber die Franzbrötchen sind es wert.
:::

## Preise

::: prices Brot und Brötchen
| Sorte                | Preis  |
|----------------------|-------:|
| Roggenmischbrot, 1 kg | 4,80 € |
| Dinkel-Walnuss, 750 g | 5,90 € |
| Schrippe             | 0,55 € |
:::

## Häufige Fragen

::: faq
### Kann ich Torten vorbestellen?
Ja, drei Tage im Voraus im Laden oder telefonisch.

### Gibt es glutenfreies Brot?
Nein: in unserer Backstube ist überall Mehl in der Luft.
:::

## Anfahrt

::: map
address: Wühlischstraße 27, 10245 Berlin
lat: 52.5079
lon: 13.4605
zoom: 17
:::
"""


def picture(path: Path, size: tuple[int, int], colours: tuple[str, str]) -> None:
    """A JPEG with a soft diagonal gradient between two colours, as a stand-in photo."""
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(im)
    a, b = Image.new("RGB", (1, 1), colours[0]).getpixel((0, 0)), Image.new("RGB", (1, 1), colours[1]).getpixel((0, 0))
    steps = size[0] + size[1]
    for i in range(0, steps, 4):
        f = i / steps
        c = tuple(round(a[k] + (b[k] - a[k]) * f) for k in range(3))  # type: ignore[index]
        draw.line([(i, 0), (0, i)], fill=c, width=5)
    draw.ellipse([size[0] * 0.3, size[1] * 0.25, size[0] * 0.7, size[1] * 0.75], fill=colours[1])
    im.save(path, "JPEG", quality=85)


GALLERY = {"laden.jpg": ("#c98b4a", "#f3dfc1"), "ofen.jpg": ("#6b2e1f", "#f0a35e"),
           "brezeln.jpg": ("#8a5a2b", "#e8c07d"), "torte-mit_sahne.jpg": ("#b9677d", "#f7e1e8")}


def add_blocks_page(ws: Path) -> Path:
    """Adds the page and its pictures to the bakery of workspace ``ws``; the page's path."""
    site = ws / "sites" / CLIENT
    for name, colours in GALLERY.items():
        picture(site / "static" / "images" / "galerie" / name, (1200, 900), colours)
    picture(site / "static" / "images" / "team" / "jana.jpg", (600, 600), ("#5b7a65", "#d8e6d9"))
    picture(site / "static" / "images" / "team" / "oemer.jpg", (600, 600), ("#6a5b7a", "#e2d8e6"))
    page = site / "content" / "bloecke.md"
    page.write_text(PAGE, encoding="utf-8")
    return page
