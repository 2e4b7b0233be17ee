"""``::: team``: the people of the business, each with name, role, photo and a short text.

    ::: team
    name: Anna Nováková
    role: Dentist
    photo: /images/team/anna.jpg
    Twenty years of caring for families' teeth.

    name: Petr Novák
    role: Dental hygienist
    :::
"""
from __future__ import annotations

from markdown_it.token import Token

from .common import PATH_FIX, Block, esc, html_token, markdown_tokens, md_escape, records, site_path, \
    site_path_problem

KEYS = frozenset({"name", "role", "photo", "alt"})
PHOTO_SIZES = "(max-width: 30em) 6rem, 8rem"


def build(block: Block) -> list[Token]:
    people = records(block, KEYS)
    if not people:
        block.error(block.line, "the team block is empty", "add a `name:` line for each person")
    out: list[Token] = [] if block.email else [html_token('<ul class="block-team">\n')]
    for person in people:
        name = person.get("name")
        if not name:
            block.error(person.line, "an entry of the team block has no `name:`",
                        "start each person with `name: …` (a blank line between two people)")
            continue
        photo = person.get("photo")
        if photo:
            why = site_path_problem(photo)
            if why:
                block.error(person.line_of("photo"), f"`photo: {photo}` {why}", PATH_FIX)
                photo = ""
            else:
                photo = site_path(photo)
                block.link(photo, person.line_of("photo"), "image")
        role, text = person.get("role"), person.body
        if block.email:
            md = f"**{md_escape(name)}**" + (f" – {md_escape(role)}" if role else "")
            out += markdown_tokens(block, md + (f"\\\n{text}" if text else ""), person.line)
            continue
        alt = person.get("alt") or name
        out.append(html_token('<li class="member">'
                              + (f'<img class="member-photo" src="{esc(photo)}" alt="{esc(alt)}" '
                                 f'sizes="{PHOTO_SIZES}" loading="lazy" decoding="async">' if photo else "")
                              + f'<p class="member-name">{esc(name)}</p>'
                              + (f'<p class="member-role">{esc(role)}</p>' if role else "")))
        if text:
            out += [html_token('<p class="member-text">'), block.inline(text, person.text[0][0]),
                    html_token("</p>")]
        out.append(html_token("</li>\n"))
    if not block.email:
        out.append(html_token("</ul>\n"))
    return out
