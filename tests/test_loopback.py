"""One rule for "this host is this machine": plain FTP and cleartext SMTP/IMAP are allowed
without opting in only to loopback, and a name that starts with 127. is not loopback."""
from sitekeeper.config.deploy import validate_target
from sitekeeper.config.hosts import is_loopback
from sitekeeper.config.mail import is_loopback as mail_is_loopback


def test_a_host_name_starting_with_127_is_not_loopback_for_plain_ftp():
    refused = validate_target("shared", {"url": "ftp://u@127.evil.example/www", "password_env": "X"})
    assert refused and "travel in clear" in refused[0][1]


def test_loopback_addresses_and_localhost_allow_plain_ftp():
    for url in ("ftp://u@127.0.0.1:2121/www", "ftp://u@127.1.2.3/www", "ftp://u@[::1]:2121/www",
                "ftp://u@LOCALHOST/www"):
        assert validate_target("local", {"url": url, "password_env": "X"}) == [], url


def test_deploy_and_mail_share_one_loopback_rule():
    assert mail_is_loopback is is_loopback
    for host in ("127.evil.example", "127.0.0.1.evil.example", "localhost.example", "", None, "10.0.0.1"):
        assert not is_loopback(host), host
    for host in ("localhost", "127.0.0.1", "127.255.0.9", "::1", "[::1]"):
        assert is_loopback(host), host
