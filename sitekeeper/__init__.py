"""sitekeeper: many small-business websites and their promotions, from one git repo.

The package in layers; a module imports only from its own layer or those below it, deploy
and mail (the two wings) never import each other, and no two modules import each other
(tests/test_layers.py holds the code to this drawing):

    6  cli/  entry  __main__        typer commands and rich tables; each command a few lines
    5  check  publish  serve        use cases joining build, the wings and the state (tick, status, reports)
       schedule  status  reports/   scaffold  ci  agenda (calendar)
       live                         the public sites against what was last deployed
       previews/                    a private preview of a site: made, listed, removed, expired
    4  deploy/       mail/          publish a built folder | compose and send a campaign
       suppressions/  importers/    opt-outs from bounces and mailboxes | other site generators in
       approvals/                   a client's reply to an approval request, read
    3  build/        state/         site plan, render, one writer | the state store and its lock
    2  content/  render/  aws       text -> values | markdown, Jinja2, i18n | the one boto3 user
    1  config/   locale/            typed, frozen settings | language tags, month names, date formats
    0  errors  clock  report        one error shape, one clock, the reporters
       fsutil  shard  jobs  network  one atomic write | shards | clients in parallel | timeouts, per-host limits
       settings  failure            the SITEKEEPER_* tuning knobs, read and checked once | how a command fails
"""
__version__ = "0.1.0"
