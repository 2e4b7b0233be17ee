"""Opt-outs and bounces: who is never mailed again, per client (campaigns/<client>/unsubscribed.csv).

    pull.py      the use cases: ``unsubscribe`` by hand, ``pull_suppressions`` from the sources
    record.py    unsubscribed.csv (append-only, fsync'ed) and the counts of temporary failures
    imap.py      the client's mailbox (the one imaplib user)     messages.py  what a message is
    dsn.py       RFC 3464 delivery status notifications          phrases.py   "unsubscribe" per language
    sqs.py       SES notices from an SQS queue (through sitekeeper.aws)
    bounces.py   other MTAs' bounces (flufl.bounce) and ARF complaints
    kinds.py     the kinds of message a pull counts, and the hook to add one
    events.py    the values between them

Layer 4 beside mail and deploy; of mail it imports only the pure mail.tokens (to verify an
unsubscribe token): the send path calls ``pull_suppressions`` before it reads
unsubscribed.csv, and ``record_refused`` for mailboxes refused as gone.
"""
