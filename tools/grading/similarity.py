"""Pairs of students whose answer code is alike, for a person to read: `make similarity`.

Each student's answer code (answers.answer_code: the code cells they wrote, not the
handout's) from their newest notebook is fingerprinted by copydetect, MOSS's winnowing on
tokens in which names become placeholders, so renamed variables and functions moved around
still match; the handout's own code is boilerplate, ignored wherever it appears. For each
pair, copydetect gives the share of each student's code found in the other's; a pair is
listed when the larger share reaches `THRESHOLD`.

It writes `pairs.csv` (student_a, student_b, file_a, file_b, share_a, share_b, tokens) and
`report.html` (the pairs with the matching code highlighted, self-contained, no script).
It reads the files only: no score changes, nothing runs. A high share is a reason to read
two notebooks side by side, not a verdict: short answers to a small question are alike.
"""

import csv
import dataclasses
import html
import tempfile
from pathlib import Path

THRESHOLD = 0.6
NOISE = 20  # copydetect's noise threshold: matches shorter than this many characters of tokens
GUARANTEE = 24  # and the length from which a match is certain to be found


@dataclasses.dataclass
class Pair:
    a: str
    b: str
    file_a: str
    file_b: str
    share_a: float
    share_b: float
    tokens: int
    code_a: str = ""  # highlighted HTML (copydetect escapes the code)
    code_b: str = ""

    @property
    def score(self):
        return max(self.share_a, self.share_b)


def compare(codes, boilerplate, threshold=THRESHOLD):
    """[Pair] above `threshold` among {student: (file, code)}, highest first; all scores too.

    Returns (pairs, scores) where scores is {(a, b): max share} for every pair compared.
    """
    from copydetect import CopyDetector

    students = sorted(s for s, (_, code) in codes.items() if code.strip())
    if len(students) < 2:
        return [], {}
    with tempfile.TemporaryDirectory(prefix="similarity-") as scratch:
        folder = Path(scratch)
        paths = {}
        for n, student in enumerate(students):
            paths[student] = folder / f"s{n:05d}.py"
            paths[student].write_text(codes[student][1], encoding="utf-8")
        (folder / "boilerplate.py").write_text(boilerplate, encoding="utf-8")
        detector = CopyDetector(
            noise_t=NOISE,
            guarantee_t=GUARANTEE,
            display_t=threshold,
            extensions=["py"],
            autoopen=False,
            silent=True,
            force_language="python",
        )
        for student in students:
            detector.add_file(str(paths[student]))
        detector.add_file(str(folder / "boilerplate.py"), type="boilerplate")
        detector.run()
        index = {str(paths[s]): s for s in students}
        position = {name: i for i, name in enumerate(detector.test_files)}
        scores = {}
        for i, a in enumerate(students):
            for b in students[i + 1 :]:
                shares = detector.similarity_matrix[
                    position[str(paths[a])], position[str(paths[b])]
                ]
                scores[(a, b)] = float(max(shares))
        pairs = []
        for (
            test_sim,
            ref_sim,
            test_f,
            ref_f,
            code_1,
            code_2,
            tokens,
        ) in detector.get_copied_code_list():
            a, b = index[test_f], index[ref_f]
            pair = Pair(
                a, b, codes[a][0], codes[b][0], float(test_sim), float(ref_sim), int(tokens)
            )
            pair.code_a, pair.code_b = code_1, code_2
            if pair.score >= threshold:
                pairs.append(pair)
    unique = {}
    for pair in pairs:
        key = tuple(sorted((pair.a, pair.b)))
        if key not in unique or pair.score > unique[key].score:
            unique[key] = pair
    return sorted(unique.values(), key=lambda p: (-p.score, p.a, p.b)), scores


def write_pairs(path, pairs):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["student_a", "student_b", "file_a", "file_b", "share_a", "share_b", "tokens"]
        )
        for p in pairs:
            writer.writerow(
                [p.a, p.b, p.file_a, p.file_b, f"{p.share_a:.2f}", f"{p.share_b:.2f}", p.tokens]
            )
    return path


STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 90em; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 0.2em 0.6em; }
.pair { display: flex; gap: 1em; } .pair > div { flex: 1; min-width: 0; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 85%; }
.highlight-red { background: #f8c0c0; } .highlight-green { background: #c0f0c0; }
"""


def write_report(path, assignment, pairs, compared, threshold):
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>Similar answers: {e(assignment)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Similar answers: {e(assignment)}</h1>",
        f"<p>{compared} students compared; {len(pairs)} pair(s) with a share of "
        f"{threshold:.0%} or more of one student's answer code found in the other's "
        "(copydetect, MOSS-style winnowing; the handout's code ignored).</p>",
        "<p><strong>A flag for a person to read, not a verdict:</strong> short answers to a "
        "small question are alike, and no score is changed by this report.</p>",
    ]
    if pairs:
        parts.append("<table><tr><th>#</th><th>student a</th><th>student b</th>")
        parts.append("<th>share of a in b</th><th>share of b in a</th></tr>")
        for n, p in enumerate(pairs, 1):
            parts.append(
                f'<tr><td><a href="#pair{n}">{n}</a></td><td>{e(p.a)}</td><td>{e(p.b)}</td>'
                f"<td>{p.share_a:.0%}</td><td>{p.share_b:.0%}</td></tr>"
            )
        parts.append("</table>")
    for n, p in enumerate(pairs, 1):
        parts.append(f'<h2 id="pair{n}">{n}. {e(p.a)} and {e(p.b)} ({p.score:.0%})</h2>')
        parts.append('<div class="pair">')
        for who, file, share, code in (
            (p.a, p.file_a, p.share_a, p.code_a),
            (p.b, p.file_b, p.share_b, p.code_b),
        ):
            parts.append(
                f"<div><h3>{e(who)}: {share:.0%}</h3><p>{e(file)}</p><pre>{code}</pre></div>"
            )
        parts.append("</div>")
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
