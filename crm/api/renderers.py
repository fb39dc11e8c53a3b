"""DRF's browsable API without its one inline <style> block, so it runs under the site's CSP.

That block is Pygments' CSS for code in Markdown docstrings; without the `markdown` package
(not installed) nothing uses it. Inline style attributes of DRF's page are allowed by the
policy (`style-src-attr`), <style> elements are not.
"""

from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableApiRenderer(BrowsableAPIRenderer):
    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        context["code_style"] = None
        return context
