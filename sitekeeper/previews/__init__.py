"""Private previews: the site as it would be published, at an unguessable address for the client.

``sitekeeper preview CLIENT`` builds the site (as ``publish`` would, now or ``--at`` a date)
with its base_url set to the preview's address, turns the build into a preview
(rewrite.py, pure: ``noindex, nofollow`` on every page, a robots.txt that disallows
everything, no sitemap, root-relative links kept inside the private folder) and publishes
it with the deploy machinery to a *derived* target: the client's own target (or its
``[deploy.preview]``) with the docroot moved to ``<docroot>/preview-<token>``, its state in
the workspace state store (never in a docroot). A live publish never deletes nor vouches for
anything under a ``preview-<token>`` folder (deploy.plan.is_preview).

records.py keeps one sealed record per preview in the state store
(``previews/<client>/<id>.json``: link, folder, target, created, expires); make.py holds the
use cases (make, list, remove, remove the expired, which ``tick`` runs).
"""
