"""sitekeeper: many small-business websites and their promotions, from one git repo.

The package in layers; a module imports only from its own layer or those below it, deploy
and mail (the two wings) never import each other, and no two modules import each other
(tests/test_layers.py holds the code to this drawing):

    6  cli/ entry __main__                 typer commands and rich tables; each command a few lines
    5  check publish serve schedule        use cases joining build, the wings and the state: check,
       status reports/ scaffold ci         publish, serve, tick, status and reports; scaffold and ci
       agenda live previews/               write files; agenda (the calendar); live (the public sites
                                           against what was last deployed); previews (private ones)
    4  deploy/ mail/ suppressions/         publish a built folder | compose and send a campaign |
       importers/ approvals/               opt-outs from bounces and mailboxes | other generators in |
                                           a client's reply to an approval request, read
    3  build/ state/                       site plan, render, one writer | the state store and its keys
    2  content/ render/ aws                text -> values | markdown, Jinja2 | the one boto3 user
    1  config/ locale/                     typed, frozen settings | language tags, catalogs, dates
    0  errors clock report fsutil shard    one error shape, one clock, the reporters, one atomic write,
       jobs network settings failure       shards, clients in parallel, timeouts and per-host limits,
                                           the SITEKEEPER_* tuning knobs, how a command fails

Each line: its layer, the modules in it (columns 8 to 43), what they are.
"""
__version__ = "0.1.0"
