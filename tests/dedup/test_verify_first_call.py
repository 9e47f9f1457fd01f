"""dedup.verify's first comparison in a process: no import on the way (frames compares from its first candidate on)."""

from __future__ import annotations


def test_a_first_comparison_imports_nothing_more(tmp_path):
    """`frames` compares a candidate every few seconds of video from the first one on: the first comparison of
    a process costs no import (numpy.ma came in with np.unique, about 30 ms)."""
    import subprocess
    import sys

    code = ("import sys, numpy as np\nfrom PIL import Image\nfrom loraprep.dedup.encode import describe_image\n"
            "from loraprep.dedup.verify import compare_many\n"
            "rng = np.random.default_rng(5)\n"
            "base = np.repeat(np.repeat((rng.random((24, 43, 3)) * 255).astype(np.uint8), 8, 0), 8, 1)\n"
            "other = base.copy(); other[50:80, 100:140] = 30\n"
            "a, b, c = (describe_image(Image.fromarray(np.ascontiguousarray(x))) for x in (base, other, base[5:, 3:]))\n"
            "before = set(sys.modules)\n"
            "verdicts = compare_many([a, a], [b, c])\n"
            "print(sorted(set(sys.modules) - before), [round(v.distance, 2) for v in verdicts])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out.startswith("[] ["), out
