"""Compare `kiosk encode --json --timings` with face_recognition 1.3.0 on the same images.

Run by scripts/parity-face_recognition inside its virtualenv; see that script for the setup.
Pass criteria per image: same faces (boxes identical, matched as sets since kiosk sorts
largest first while face_recognition keeps detector order) and every paired embedding within
1e-4 Euclidean distance. Landmark differences are reported, not judged.
"""
import argparse
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import dlib
import numpy as np
import PIL.Image
import face_recognition
from face_recognition import api

MAX_DISTANCE = 1e-4
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def collect(args):
    """Samples dir, ../shared/faces/dev/**/*.jpg (when present) and the extra arguments.

    Returns {path: (set name, short display name)}, de-duplicated, in order.
    """
    found = {}
    samples = Path(args.samples)
    if samples.is_dir():
        for p in sorted(p for p in samples.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
            found.setdefault(str(p), ("samples", f"samples/{p.name}"))
    else:
        print(f"samples: {samples} not found: skipped (set KIOSK_SAMPLES)")
    dev = Path(os.path.normpath(args.dev))
    if dev.is_dir():
        for p in sorted(dev.rglob("*.jpg")):
            found.setdefault(str(p), ("dev", f"dev/{p.relative_to(dev)}"))
    else:
        print(f"dev set: {dev} not found (no shared/faces beside the repository): LFW dev images skipped")
    for extra in args.extra:
        p = Path(extra)
        for q in sorted(q for q in p.rglob("*") if q.suffix.lower() in IMAGE_SUFFIXES) if p.is_dir() else [p]:
            found.setdefault(str(q), ("extra", str(q)))
    return found


def describe(path):
    """Size, PIL mode and EXIF orientation: what explains a decode mismatch."""
    try:
        with PIL.Image.open(path) as im:
            orient = im.getexif().get(0x0112, 1)
            return f"{im.width}x{im.height} {im.format} {im.mode}" + (f" exif-rot{orient}" if orient != 1 else "")
    except Exception as e:  # noqa: BLE001 - any decode failure is just reported
        return f"unreadable ({type(e).__name__})"


def run_face_recognition(path):
    """face_recognition's own pipeline, split into stages so each can be timed.

    face_encodings(img) detects again internally and encodes from the *untrimmed* raw dlib
    rectangles, so we take the raw rectangles once, derive the public (trimmed) boxes from them,
    and run the 5-point predictor + encoder on the raw ones exactly as face_encodings does.
    The public API is then called too (untimed) and must agree bit for bit.
    """
    t0 = time.perf_counter()
    try:
        img = face_recognition.load_image_file(path)
    except Exception as e:  # noqa: BLE001
        return {"error": f"{type(e).__name__}: {e}"}
    t1 = time.perf_counter()
    raw = api._raw_face_locations(img, 1, "hog")
    t2 = time.perf_counter()
    shapes = [api.pose_predictor_5_point(img, r) for r in raw]
    t3 = time.perf_counter()
    encs = [np.array(api.face_encoder.compute_face_descriptor(img, s, 1)) for s in shapes]
    t4 = time.perf_counter()
    boxes = [api._trim_css_to_bounds(api._rect_to_css(r), img.shape) for r in raw]
    public_encs = face_recognition.face_encodings(img)
    assert boxes == face_recognition.face_locations(img), path
    assert len(public_encs) == len(encs) and all(np.array_equal(a, b) for a, b in zip(public_encs, encs)), path
    faces = [{"box": list(b), "landmarks": [[p.x, p.y] for p in s.parts()], "embedding": e}
             for b, s, e in zip(boxes, shapes, encs)]
    ms = lambda a, b: (b - a) * 1000.0  # noqa: E731
    return {"faces": faces, "timings_ms": {"decode": ms(t0, t1), "detect": ms(t1, t2),
                                           "landmarks": ms(t2, t3), "embed": ms(t3, t4)}}


def run_kiosk(kiosk_bin, paths):
    # The binary may be mid-rebuild by another process: wait up to a minute for it.
    for _ in range(60):
        if os.access(kiosk_bin, os.X_OK):
            break
        time.sleep(1)
    proc = subprocess.run([kiosk_bin, "encode", "--json", "--timings", *paths],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():  # 1 = some photo unreadable
        sys.exit(f"parity: {kiosk_bin} failed (exit {proc.returncode}):\n{proc.stderr}")
    return {entry["image"]: entry for entry in json.loads(proc.stdout)}


def compare(ref, ours):
    """Return (ok, faces, max distance, max landmark diff, note)."""
    if "error" in ref or "error" in ours:
        if "error" in ref and "error" in ours:
            return True, 0, 0.0, 0, "unreadable for both"
        if "error" in ours:
            return False, len(ref["faces"]), float("nan"), 0, f"kiosk: {ours['error']}"
        return False, len(ours["faces"]), float("nan"), 0, f"face_recognition: {ref['error']}"
    rf, kf = ref["faces"], list(ours["faces"])
    if len(rf) != len(kf):
        return False, len(rf), float("nan"), 0, f"face count {len(rf)} vs kiosk {len(kf)}"
    dist, lm, missing = 0.0, 0, []
    for face in rf:
        match = next((k for k in kf if k["box"] == face["box"]), None)
        if match is None:
            missing.append(face["box"])
            continue
        kf.remove(match)
        dist = max(dist, float(np.linalg.norm(face["embedding"] - np.array(match["embedding"], dtype=np.float64))))
        lm = max(lm, int(np.abs(np.array(face["landmarks"]) - np.array(match["landmarks"])).max()))
    if missing:
        return False, len(rf), float("nan"), lm, f"boxes {missing} vs kiosk {[k['box'] for k in kf]}"
    return dist < MAX_DISTANCE, len(rf), dist, lm, "" if dist < MAX_DISTANCE else "embedding distance"


def median_row(name, rows):
    stages = ("decode", "detect", "landmarks", "embed")
    vals = [statistics.median(r[s] for r in rows) if rows else float("nan") for s in stages]
    return f"  {name:<28}" + "".join(f"{v:>11.1f}" for v in vals) + f"{sum(vals):>11.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kiosk-bin", required=True)
    parser.add_argument("--samples", required=True)
    parser.add_argument("--dev", required=True)
    parser.add_argument("extra", nargs="*", help="more images or directories")
    args = parser.parse_args()

    found = collect(args)
    paths = list(found)
    if not paths:
        sys.exit("parity: no images found")
    ours_by_path = run_kiosk(args.kiosk_bin, paths)

    passed = failed = n_faces = 0
    worst_dist, worst_lm = 0.0, 0
    times = {}  # set name -> ([face_recognition timings], [kiosk timings])
    print(f"{'image':<58} {'size/format/mode':<24} {'faces':>5} {'max dist':>10} {'lm':>3}  result")
    for path in paths:
        ref = run_face_recognition(path)
        ours = ours_by_path.get(path, {"error": "missing from kiosk output"})
        ok, faces, dist, lm, note = compare(ref, ours)
        n_faces += faces
        if dist == dist:  # NaN when faces could not be paired; the failure is counted anyway
            worst_dist = max(worst_dist, dist)
        worst_lm = max(worst_lm, lm)
        if "timings_ms" in ref and "timings_ms" in ours:
            for group in (found[path][0], "all"):
                pair = times.setdefault(group, ([], []))
                pair[0].append(ref["timings_ms"])
                pair[1].append(ours["timings_ms"])
        passed, failed = passed + ok, failed + (not ok)
        print(f"{found[path][1]:<58.58} {describe(path):<24.24} {faces:>5} {dist:>10.2e} {lm:>3}  "
              f"{'ok' if ok else 'FAIL'} {note}".rstrip())

    print(f"\nsummary: {len(paths)} images, {n_faces} faces (face_recognition), "
          f"max embedding distance {worst_dist:.3e} (limit {MAX_DISTANCE:g}), "
          f"max landmark difference {worst_lm} px")
    flags = {k: getattr(dlib, k) for k in ("DLIB_USE_BLAS", "DLIB_USE_LAPACK", "DLIB_USE_AVX", "DLIB_USE_CUDA")
             if hasattr(dlib, k)}
    # face_recognition 1.3.0 still says __version__ = "1.2.3"; ask the installed distribution.
    print(f"reference: face_recognition {importlib.metadata.version('face_recognition')}, dlib {dlib.__version__} (dlib-bin wheel), "
          + ", ".join(f"{k}={v}" for k, v in flags.items()))
    # Per set, since the 250x250 LFW crops and the multi-megapixel samples differ a lot.
    groups = sorted(times, key=lambda g: g == "all")  # "all" last, and only when it adds something
    for group in groups[:-1] if len(groups) == 2 else groups:
        ref_times, our_times = times[group]
        print(f"median ms, {group} ({len(ref_times)} images)".ljust(30)
              + "".join(f"{s:>11}" for s in ("decode", "detect", "landmarks", "embed", "total")))
        print(median_row("face_recognition", ref_times))
        print(median_row("kiosk", our_times))
    print(f"parity: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
