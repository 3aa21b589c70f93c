"""MkDocs hooks: every page shows what its own code does.

* The python blocks of a page run when the site builds (see ``pagerun.py``).
  A block's printed output must equal the ```text block the page shows after
  it, or the build fails. The pictures the code shows or writes are put on the
  page and into the site, each linked to itself at full size. Other files the
  code wrote (an HTML page, say) are published when the page's raw HTML
  points at them.
* Each tutorial chapter is also published as a Jupyter notebook, made from the
  same Markdown (see ``notebooks.py``), with a download link at its top.
* A page of the Korean site that has no Korean text yet says so, and marks its
  English content as English.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import notebooks
import pagerun
from mkdocs.exceptions import PluginError

_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)")
# A file the code wrote may also be shown by raw HTML (an <iframe>, a link).
_HTML_LINK = re.compile(r'(?:src|href)="(?P<src>[^"]+)"')

_TEXT = {
    "en": {
        "picture": "Picture drawn by the code above",
        "full": "Open the picture at full size",
        "notebook": "Download this chapter as a Jupyter notebook",
    },
    "ko": {
        "picture": "위 코드가 그린 그림",
        "full": "그림을 원래 크기로 열기",
        "notebook": "이 장을 주피터 노트북으로 내려받기",
        "untranslated": "이 페이지는 아직 한국어로 번역되지 않아 영어 원문을 보여 줍니다.",
    },
}

# Page code runs once per build even though the site is built once per
# language: the Korean tutorial's code is the English tutorial's code.
_runs: dict[str, pagerun.PageRun] = {}
# Files to write next to each page, by the page's URL.
_outputs: dict[str, dict[str, bytes]] = {}


def _content_language(page: Any) -> str:
    return "ko" if page.file.src_uri.endswith(".ko.md") else "en"


def _site_language(page: Any) -> str:
    return "ko" if page.url.startswith("ko/") else "en"


def _run(markdown: str, name: str) -> pagerun.PageRun:
    codes = [b.code for b in pagerun.fenced_blocks(markdown) if b.language == "python"]
    key = hashlib.sha256("\0".join(codes).encode("utf-8")).hexdigest()
    if key not in _runs:
        with tempfile.TemporaryDirectory(prefix="micrograd-docs-") as workdir:
            _runs[key] = pagerun.run_blocks(markdown, name, Path(workdir).resolve())
    return _runs[key]


def _figure(src: str, alt: str, language: str) -> list[str]:
    src, alt = html.escape(src, quote=True), html.escape(alt, quote=True)
    full = html.escape(_TEXT[language]["full"], quote=True)
    return [
        "",
        '<figure class="mg-picture">',
        f'<a href="{src}" title="{full}"><img src="{src}" alt="{alt}"></a>',
        "</figure>",
        "",
    ]


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    language = _content_language(page)
    outputs = _outputs.setdefault(page.url, {})
    lines = markdown.splitlines()
    if any(b.language == "python" for b in pagerun.fenced_blocks(markdown)):
        run = _run(markdown, page.file.src_uri)
        problems = run.mismatches(markdown)
        if problems:
            raise PluginError(f"{page.file.src_uri}: " + "\n".join(problems))
        after: dict[int, list[str]] = {}
        python = [b for b in pagerun.fenced_blocks(markdown) if b.language == "python"]
        for number, picture in enumerate(run.pictures, 1):
            block = python[picture.index]
            name = f"picture-{number}{picture.suffix}"
            outputs[name] = picture.data
            alt = block.options.get("alt", _TEXT[language]["picture"])
            after.setdefault(block.output_end or block.end, []).extend(_figure(name, alt, language))
        in_fence = False
        rebuilt: list[str] = []
        for number, line in enumerate(lines, 1):
            if pagerun.FENCE.match(line):
                line = pagerun.plain_fence(line) if not in_fence else line
                in_fence = not in_fence
            elif not in_fence:
                line = _IMAGE.sub(lambda m: _written(m, run, outputs, language), line)
                for match in _HTML_LINK.finditer(line):
                    if match["src"] in run.files:
                        outputs[match["src"]] = run.files[match["src"]]
            rebuilt.append(line)
            rebuilt.extend(after.get(number, []))
        lines = rebuilt
        if _is_chapter(page):
            stem = Path(page.file.src_uri).name.removesuffix(".md").removesuffix(".ko")
            outputs[f"{stem}.ipynb"] = notebooks.notebook_json(markdown).encode("utf-8")
            lines = _with_download_link(lines, f"{stem}.ipynb", language)
    return "\n".join(lines) + "\n"


def _written(
    match: re.Match[str], run: pagerun.PageRun, outputs: dict[str, bytes], language: str
) -> str:
    src = match["src"]
    if src not in run.files:
        return match[0]
    outputs[src] = run.files[src]
    return "\n".join(_figure(src, match["alt"], language))


def _is_chapter(page: Any) -> bool:
    path = Path(page.file.src_uri)
    return path.parts[0] == "tutorial" and not path.name.startswith("index")


def _with_download_link(lines: list[str], target: str, language: str) -> list[str]:
    text, href = html.escape(_TEXT[language]["notebook"]), html.escape(target, quote=True)
    link = [
        "",
        f'<p class="mg-notebook" data-search-exclude><a href="{href}" download>{text}</a></p>',
        "",
    ]
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return [*lines[: index + 1], *link, *lines[index + 1 :]]
    return [*link, *lines]


_DUNDER = re.compile(r"\.__\w+__$")


def _without_dunders(items: list[Any]) -> list[Any]:
    kept = [item for item in items if not _DUNDER.search(item.id)]
    for item in kept:
        item.children = _without_dunders(item.children)
    return kept


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    """Keep special methods (``__add__``, ``__slots__``...) out of the table of contents.

    They stay documented on the page, under their class, after the names a
    program calls.
    """
    page.toc.items = _without_dunders(page.toc.items)
    return html_text


# The i18n plugin points each page's <link rel="alternate"> at the same page
# in the other language; Material's script takes those links for language
# roots and asks for a sitemap.xml below each page, one 404 per link and page.
# The language menu's own links lead to the counterpart page without them.
_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[a-z-]+">\n?')


def on_post_page(output: str, page: Any, config: Any) -> str:
    output = _ALTERNATE.sub("", output)
    folder = Path(config["site_dir"]) / page.url
    for name, data in _outputs.pop(page.url, {}).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if _site_language(page) == "ko" and _content_language(page) == "en":
        notice = html.escape(_TEXT["ko"]["untranslated"])
        output = output.replace(
            '<article class="md-content__inner md-typeset">',
            '<article class="md-content__inner md-typeset" lang="en">'
            f'<p class="mg-untranslated" lang="ko">{notice}</p>',
            1,
        )
    return output
