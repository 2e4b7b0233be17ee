"""The local-business kit for templates: opening hours for people, contact links, and the
schema.org LocalBusiness JSON-LD of the home page. Pure: config values in, values out.

A site without `[business]` still shows what is known of it: the postal address and the
reply address of `[mail]` (``known_business``), in the footer and the contact page's block."""
from __future__ import annotations

import json
import re
from datetime import date

from email.utils import parseaddr

from ..config.business import SCHEMA_DAYS, WEEKDAYS, Business
from ..locale.dates import day_runs


def _spans_text(spans) -> str:
    return ", ".join(f"{a}–{b}" for a, b in spans)


def hours_rows(business: Business, t) -> list[dict]:
    """Consecutive days with the same hours grouped: [{"days": "Mo–Fr", "hours": "07:00–18:00"}]."""
    rows: list[dict] = []
    if not business.hours:
        return rows
    run: list[str] = []
    run_spans = None

    def flush():
        if not run:
            return
        label = t(f"day_{run[0]}") if len(run) == 1 else f"{t('day_' + run[0])}–{t('day_' + run[-1])}"
        if len(run) == 2:
            label = f"{t('day_' + run[0])}, {t('day_' + run[-1])}"
        rows.append({"days": label, "hours": _spans_text(run_spans) if run_spans else t("closed"),
                     "closed": not run_spans, "codes": list(run)})

    for day in WEEKDAYS:
        spans = business.day_spans(day)
        if spans is None:
            spans = ()
        if run and spans == run_spans:
            run.append(day)
        else:
            flush()
            run, run_spans = [day], spans
    flush()
    # A week that ends closed on days the site never mentioned says nothing about them.
    mentioned = {d for h in business.hours for d in h.days}
    return [r for r in rows if not r["closed"] or set(r["codes"]) & mentioned]


def known_business(cfg) -> Business | None:
    """The site's `[business]`, or what `[mail]` tells of the business when it has none: the
    postal address (without a leading name line: the footer shows the name) and the address
    replies go to. None when neither is known."""
    if cfg.business is not None:
        return cfg.business
    mail = cfg.mail
    lines = address_lines(mail.postal_address or "")
    if len(lines) >= 3 and not re.search(r"\d", lines[0]):
        lines = lines[1:]
    email = parseaddr(mail.reply_to or "")[1] or parseaddr(mail.from_ or "")[1]
    if "@" not in email:
        email = ""
    if not lines and not email:
        return None
    return Business(address=", ".join(lines), email=email)


def closed_runs(days, lang: str) -> list[dict]:
    """Closed days as a short list: runs of consecutive days collapsed ("24.–26. Dez.")."""
    return [{"iso": a.isoformat(), "iso_last": b.isoformat(), "single": a == b, "display": text}
            for a, b, text in day_runs(days, lang)]


def business_context(business: Business | None, lang: str, today: date, t) -> dict | None:
    if business is None:
        return None
    upcoming = business.upcoming_closed(today)
    return {
        "type": business.type, "address": business.address, "address_lines": address_lines(business.address),
        "phone": business.phone, "tel_url": business.tel_url, "email": business.email,
        "mailto_url": f"mailto:{business.email}" if business.email else "",
        "map_url": business.map_url, "hours": hours_rows(business, t),
        "closed": closed_runs(upcoming, lang),
        "socials": [{"network": n, "label": n[:1].upper() + n[1:], "url": u} for n, u in business.socials],
    }


def address_lines(address: str) -> list[str]:
    return [p.strip() for p in address.split(",") if p.strip()]


def postal_address(address: str, country: str | None = None) -> dict:
    """A PostalAddress from an address written on one line ("Street 1, 10115 Berlin")."""
    parts = address_lines(address)
    # A leading part without digits is the business's name line ("Bäckerei X GmbH, Street 1, ...").
    if len(parts) >= 3 and not re.search(r"\d", parts[0]):
        parts = parts[1:]
    out: dict = {"@type": "PostalAddress"}
    if parts:
        m = re.match(r"^((?:[A-Z]{1,2}-)?\d[\d ]{2,8}\d)\s+(.+)$", parts[-1])
        if m and len(parts) >= 2:
            out["postalCode"] = m.group(1)
            out["addressLocality"] = m.group(2)
            out["streetAddress"] = ", ".join(parts[:-1])
        else:
            out["streetAddress"] = ", ".join(parts)
    if country:
        out["addressCountry"] = country
    return out


def json_ld(business: Business, *, name: str, url: str, description: str, logo: str | None,
            image: str | None, lang: str) -> str:
    """LocalBusiness as JSON-LD text (safe inside <script>: no '</' can end it)."""
    data: dict = {"@context": "https://schema.org", "@type": business.type or "LocalBusiness", "name": name,
                  "url": url}
    if description:
        data["description"] = description
    if business.address:
        data["address"] = postal_address(business.address)
    if business.phone:
        data["telephone"] = business.phone
    if business.email:
        data["email"] = business.email
    if logo:
        data["logo"] = logo
    if image or logo:
        data["image"] = image or logo
    if business.map_url:
        data["hasMap"] = business.map_url
    if business.price_range:
        data["priceRange"] = business.price_range
    specs = []
    for h in business.hours:
        for opens, closes in h.spans:
            specs.append({"@type": "OpeningHoursSpecification",
                          "dayOfWeek": [f"https://schema.org/{SCHEMA_DAYS[WEEKDAYS.index(d)]}" for d in h.days],
                          "opens": opens, "closes": closes})
    if specs:
        data["openingHoursSpecification"] = specs
    if business.closed:
        data["specialOpeningHoursSpecification"] = [
            {"@type": "OpeningHoursSpecification", "validFrom": d.isoformat(), "validThrough": d.isoformat(),
             "opens": "00:00", "closes": "00:00"} for d in business.closed]
    if business.socials:
        data["sameAs"] = [u for _, u in business.socials]
    data["inLanguage"] = lang
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("</", "<\\/")
