"""Writes the three bring-your-own test tables (closed-form values, no randomness).

accuracy/runs.csv  a higher-is-better accuracy metric (metric_hellaswag) and no card.json:
                   0.25 + bonus + 0.3 (1 - |w - (0.3, 0.3, 0.4)|^2), bonus 0 at 20M (cost 1),
                   0.1 at 150M (cost 8); 20M: the 0.25-step simplex grid (15 runs), 150M: 6 runs.
mean110/runs.csv   110 bits-per-byte metrics (metric_task000::bpb ...), one fidelity with a cost
                   column: 1 + 0.01 (i mod 10) + 0.5 |w - c_i|^2 on the 0.2-step grid (21 runs).
single/runs.csv    one fidelity and no cost column, metric_loss = 2.5 + 1.5 |w - t|^2 over
                   4 domains (10 runs), and metric_notes_acc with empty cells (every third run).

Run from this folder: python3 make_tables.py
"""

import os


def grid(n):
    return [(i / n, j / n, (n - i - j) / n) for i in range(n + 1) for j in range(n + 1 - i)]


def fmt(x):
    return str(int(x)) if x == int(x) else f"{x:.6f}".rstrip("0").rstrip(".")


def sq(w, c):
    return sum((a - b) ** 2 for a, b in zip(w, c))


def write(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")


star = (0.3, 0.3, 0.4)
rows = ["fidelity,ratio_web,ratio_code,ratio_books,metric_hellaswag,cost"]
for w in grid(4):
    rows.append("20M," + ",".join(map(fmt, w)) + f",{0.25 + 0.3 * (1 - sq(w, star)):.6f},1")
for w in [(1, 0, 0), (0, 1, 0), (0, 0, 1), (0.5, 0.25, 0.25), (0.25, 0.5, 0.25), (0.25, 0.25, 0.5)]:
    rows.append("150M," + ",".join(map(fmt, w)) + f",{0.35 + 0.3 * (1 - sq(w, star)):.6f},8")
write("accuracy/runs.csv", rows)


def centre(i):
    a = (i * 7) % 11 / 10 * 0.8
    b = (i * 3) % 7 / 6 * (1 - a)
    return (a, b, 1 - a - b)


names = [f"task{i:03d}::bpb" for i in range(110)]
rows = ["fidelity,ratio_a,ratio_b,ratio_c," + ",".join("metric_" + n for n in names) + ",cost"]
for w in grid(5):
    vals = [1 + 0.01 * (i % 10) + 0.5 * sq(w, centre(i)) for i in range(110)]
    rows.append("30M," + ",".join(map(fmt, w)) + "," + ",".join(f"{v:.6f}" for v in vals) + ",1")
write("mean110/runs.csv", rows)

points = [(0.25, 0.25, 0.25, 0.25), (0.4, 0.2, 0.2, 0.2), (0.2, 0.4, 0.2, 0.2),
          (0.2, 0.2, 0.4, 0.2), (0.2, 0.2, 0.2, 0.4), (0.1, 0.3, 0.3, 0.3), (0.3, 0.1, 0.3, 0.3),
          (0.5, 0.5, 0, 0), (0, 0, 0.5, 0.5), (0.7, 0.1, 0.1, 0.1)]
target = (0.35, 0.3, 0.2, 0.15)
rows = ["fidelity,ratio_en,ratio_de,ratio_code,ratio_math,metric_loss,metric_notes_acc"]
for k, w in enumerate(points):
    note = "" if k % 3 == 0 else f"{0.5 + 0.01 * k:.2f}"
    rows.append("1B," + ",".join(map(fmt, w)) + f",{2.5 + 1.5 * sq(w, target):.6f},{note}")
write("single/runs.csv", rows)
