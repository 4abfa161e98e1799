# face_recognition 1.3.0 on an LFW-format pairs file, with the protocol of `kiosk eval --pairs`:
# k folds from the header, the threshold chosen on the other folds, a photo without a face
# makes its pairs "different". The largest face of each photo, as the kiosk takes it.
# Usage: PYTHON scripts/lfw_pairs_face_recognition.py ROOT   (ROOT/pairs.txt, ROOT/Name/Name_NNNN.jpg);
# PYTHON is a venv with face_recognition, e.g. the one scripts/parity-face_recognition makes.
import sys, os, numpy as np, face_recognition
root = sys.argv[1]
lines = [l.split() for l in open(os.path.join(root, 'pairs.txt')) if l.strip()]
folds, per = map(int, lines[0])
def path(n, i): return os.path.join(root, n, f'{n}_{int(i):04d}.jpg')
pairs = []
for k, f in enumerate(lines[1:]):
    fold = k // (2 * per)
    pairs.append((path(f[0], f[1]), path(f[0], f[2]), True, fold) if len(f) == 3 else (path(f[0], f[1]), path(f[2], f[3]), False, fold))
emb = {}
for p in sorted({x for a, b, _, _ in pairs for x in (a, b)}):
    img = face_recognition.load_image_file(p)
    boxes = face_recognition.face_locations(img)  # HOG, upsample 1
    if not boxes: emb[p] = None; continue
    largest = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    emb[p] = face_recognition.face_encodings(img, [largest])[0]
d = np.array([np.linalg.norm(emb[a] - emb[b]) if emb[a] is not None and emb[b] is not None else np.inf for a, b, _, _ in pairs])
same = np.array([s for _, _, s, _ in pairs]); fold = np.array([f for *_, f in pairs])
accs = []
for k in range(folds):
    tr = fold != k; fin = np.sort(d[tr][np.isfinite(d[tr])])
    cands = np.concatenate([[fin[0] - 1e-6], (fin[:-1] + fin[1:]) / 2, [fin[-1] + 1e-6]])
    best = max(cands, key=lambda t: ((d[tr] <= t) == same[tr]).mean())
    accs.append(((d[fold == k] <= best) == same[fold == k]).mean())
imp = np.sort(d[~same]); allowed = int(1e-3 * len(imp))
print(f'face_recognition {face_recognition.__version__}: {len(pairs)} pairs, no face in {sum(v is None for v in emb.values())} photos')
print(f'{folds}-fold protocol {np.mean(accs)*100:.2f}% +- {np.std(accs)*100:.2f}%; accuracy at 0.6 {((d<=0.6)==same).mean()*100:.2f}%, at 0.55 {((d<=0.55)==same).mean()*100:.2f}%')
print(f'TAR at FAR 1e-3 {(d[same] < imp[allowed]).mean()*100:.2f}%')
