"""What the site shows at one instant, as a value: every output with a fingerprint of
exactly the inputs that shape it. Pure: no disk, no cache.

One module per job, all sharing one PlanContext (context.py) for the length of a call:
urls (every page's URL), assets (CSS/JS, static files and image variants, favicons), shown
(which static images the site shows, the ones that get variants; it reads the text of the
client's own templates),
navigation (menus, banners, what every page shows and its fingerprint), listings
(section rows, generated sections), pages (a job per page, aliases), newsletters
(promotions, sent campaigns, the archive, unsubscribe), indexes (404, feeds, sitemap,
robots), fonts (the site's font cut to its characters), times (when the plan stops being true). The values are in jobs.py."""
from __future__ import annotations

from datetime import datetime

from ...config import SiteConfig
from ..sources import SiteContent
from . import assets, fonts, indexes, listings, navigation, newsletters, pages
from .assets import VARIANT_WIDTHS, image_variants
from .context import PlanContext
from .jobs import (BytesJob, CopyJob, FeedJob, FontJob, IconJob, ImageJob, Job, JoinJob, Output, PageJob, SitemapJob,
                   SitePlan,
                   fingerprint, visible_fingerprint)
from .navigation import DARK_BG
from .times import change_times, next_change_in, valid_between

__all__ = ["DARK_BG", "VARIANT_WIDTHS", "BytesJob", "CopyJob", "FeedJob", "FontJob", "IconJob", "ImageJob", "Job", "JoinJob", "Output",
           "PageJob",
           "PlanContext", "SitePlan", "SitemapJob", "change_times", "fingerprint", "image_variants", "next_change_in",
           "plan_site", "visible_fingerprint"]


def plan_site(cfg: SiteConfig, content: SiteContent, now: datetime) -> SitePlan:
    """Every output of the site at ``now``, each with the fingerprint of its inputs."""
    ctx = PlanContext(cfg, content, now)
    synthetic = listings.synthetic_sections(ctx)
    homes = listings.missing_homes(ctx)
    asset_urls = assets.assets(ctx)
    images = assets.static(ctx)
    live = [pr for pr in content.promotions if pr.live(now)]
    banners = navigation.banners(ctx, live)
    menus = navigation.menus(ctx)
    font = fonts.site_font(ctx, live)
    global_ctx = navigation.global_ctx(ctx, asset_urls, menus, banners, font)
    ctx.gfp = navigation.global_fingerprint(ctx, asset_urls, menus, banners, images, font)
    children_by = listings.children_by_folder(ctx, synthetic)
    links = pages.page_jobs(ctx, children_by)
    listings.section_jobs(ctx, synthetic, children_by)
    listings.home_jobs(ctx, homes, children_by)
    newsletters.promotion_jobs(ctx, live)
    archive, news_words = newsletters.newsletter_jobs(ctx)
    newsletters.archive_jobs(ctx, archive, news_words)
    newsletters.unsubscribe_jobs(ctx)
    indexes.not_found_and_feeds(ctx)
    indexes.sitemap(ctx, synthetic + homes, live, archive)
    pages.home_problems(ctx, homes)
    # The plan holds until the next publish/expires/promotion boundary, the midnight after a closed
    # day (it leaves the footer's list) or New Year (the footer's year).
    return SitePlan(cfg, now, ctx.outputs, ctx.page_count, global_ctx, links,
                    valid_between(content, now, cfg.business, cfg.tz), ctx.problems, images)
