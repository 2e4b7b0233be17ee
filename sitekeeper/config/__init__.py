"""Configuration: sitekeeper.toml and each client's site.toml, typed, frozen and parsed once.

    toml.py       line numbers of keys, unknown-key checks
    secrets.py    refuse secrets in workspace files
    workspace.py  the workspace folder and sitekeeper.toml
    deploy.py     [deploy.NAME] tables -> Target
    mail.py       [mail] -> MailSettings
    site.py       site.toml -> SiteConfig

Nothing here imports deploy, mail, build or the CLI: they all read config.
"""
from .deploy import BadTarget, Target, choose_target, default_target, parse_target, validate_target
from .mail import MailSettings, Transport, is_address, parse_transport, validate_mail
from .site import SiteConfig, Theme, load_site, parse_site
from .toml import toml_lines
from .workspace import Workspace, WorkspaceSettings, find_workspace, parse_workspace_settings

__all__ = [
    "BadTarget", "MailSettings", "SiteConfig", "Target", "Theme", "Transport", "Workspace", "WorkspaceSettings",
    "choose_target", "default_target", "find_workspace", "is_address", "load_site", "parse_site",
    "parse_target", "parse_transport", "parse_workspace_settings", "toml_lines", "validate_mail",
    "validate_target",
]
