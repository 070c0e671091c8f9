"""HTTP edges and application assembly: WeChat webhook, public pages, staff pages, CLI."""
