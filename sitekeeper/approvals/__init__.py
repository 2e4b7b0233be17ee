"""Reading a client's answer to an approval request (reply.py: pure, no mailbox here)."""
