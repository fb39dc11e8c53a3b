"""The notes' formatting subset, as it is stored (pure: no database)."""

import pytest

from crm.rich_text import note_html_clean


def test_allowed_formatting_stays_and_scripts_and_handlers_go():
    cleaned = note_html_clean('<p onclick="x()">Hi <b>there</b></p><script>x()</script>')

    assert cleaned == "<p>Hi <b>there</b></p>"


def test_links_keep_web_addresses_and_lose_javascript():
    cleaned = note_html_clean('<a href="https://a.example">a</a><a href="javascript:x()">b</a>')

    assert 'href="https://a.example"' in cleaned
    assert "javascript:" not in cleaned


@pytest.mark.parametrize("text", ["a < b & c", "Call back\nin May <3"])
def test_plain_text_is_stored_as_written(text):
    assert note_html_clean(text) == text


def test_text_left_after_dropping_a_tag_is_plain_again():
    assert note_html_clean('Hi & bye<img src=x onerror="alert(1)">') == "Hi & bye"


def test_an_address_in_angle_brackets_is_kept_escaped_with_its_line_breaks():
    cleaned = note_html_clean("From Anna <anna@example.com>\nsee <https://a.example>")

    assert cleaned == "<p>From Anna &lt;anna@example.com&gt;<br>see &lt;https://a.example&gt;</p>"


def test_cleaning_twice_changes_nothing():
    once = note_html_clean('<b>x</b> <anna@example.com> <img src=x onerror="y">')

    assert note_html_clean(once) == once
