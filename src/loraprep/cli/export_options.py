"""Options that `export` and `run` share: the format, copies or links, replacing a folder."""

from __future__ import annotations

from loraprep.ops.formats import format_names  # the export registry: names only, nothing heavy


FORMAT_HELP = " | ".join(format_names()) + " (default: the recipe's, else kohya)"
LINK_HELP = ("Hard-link images instead of copying them: no extra disk, but exported images share the sources' "
             "bytes, so editing one in place edits the original.")
COPY_HELP = "Copy images, as copy-on-write clones where the file system can (the default)."
REPLACE_HELP = ("Replace the output folder even when it holds files loraprep did not write "
                "(they are deleted). Without it, such a folder is refused and the files are named.")


def mode(copy: bool, link: bool) -> str:
    from loraprep.errors import UsageError

    if copy and link:
        raise UsageError("--copy and --link exclude each other", hint="copying is the default; --link opts in to hard links")
    return "link" if link else "copy"
