// Regions of dlib's HOG image pyramid, computed bit for bit as dlib computes the whole
// pyramid. The frontal face detector scans pyramid_up'ed copies of the image, then levels made
// by repeated pyramid_down<6> (resize_image, bilinear); every level is resampled from the one
// before it with scales that depend on the full image sizes, so a level cannot be made from a
// crop with dlib's own functions without moving its sampling grid. resize_stage tabulates one
// such resize (the sample positions and weights dlib's RGB bilinear path computes, in its SIMD
// float and scalar double arithmetic) so that any output region can be computed alone, from
// only the input region it reads. kiosk_detect_near uses it (kiosk_dlib.cpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <dlib/image_processing.h>
#include <dlib/image_transforms.h>

namespace kiosk_pyramid {

struct rgb8 { uint8_t r, g, b; };

// An image region: pixels [x0, x0+w) x [y0, y0+h) of a (conceptual) full image.
struct region_image {
    long x0 = 0, y0 = 0, w = 0, h = 0;
    std::vector<rgb8> px;
    const rgb8 *row(long y) const { return px.data() + (y - y0) * w; }
};

// One resize_image(in, out) of dlib's bilinear RGB path (image_transforms/interpolation.h),
// tabulated so that any region of the output can be computed alone, bit for bit as the whole.
struct resize_stage {
    long win = 0, hin = 0, wout = 0, hout = 0;
    std::vector<int32_t> left, right;   // per output column
    std::vector<float> lr;              // SIMD columns: float fraction
    std::vector<double> lr_tail;        // tail columns: double fraction
    long tail = 0;                      // first column computed by the scalar tail loop
    std::vector<long> top, bottom;      // per output row
    std::vector<double> tb;

    resize_stage(long win_, long hin_, long wout_, long hout_) : win(win_), hin(hin_), wout(wout_), hout(hout_) {
        const double xs = (win - 1) / (double)std::max<long>(wout - 1, 1);
        const double ys = (hin - 1) / (double)std::max<long>(hout - 1, 1);
        left.assign(wout, 0); right.assign(wout, 0); lr.assign(wout, 0); lr_tail.assign(wout, 0);
        // dlib: double x = -4*x_scale; simd4f _x(x, x+x_scale, x+2*x_scale, x+3*x_scale);
        // _x_scale = 4*x_scale; each group: _x += _x_scale; left = trunc(_x); right = left+1;
        // break when right[3] >= in.nc().
        const double x = -4 * xs;
        float lane[4] = {(float)x, (float)(x + xs), (float)(x + 2 * xs), (float)(x + 3 * xs)};
        const float step = (float)(4 * xs);
        long c = 0;
        for (;; c += 4) {
            int32_t l[4]; float f[4];
            for (int j = 0; j < 4; ++j) {
                lane[j] += step;
                l[j] = (int32_t)lane[j];
                f[j] = lane[j] - (float)l[j];
            }
            if (l[3] + 1 >= win) break;
            for (int j = 0; j < 4; ++j) {
                if (c + j < wout) { left[c + j] = l[j]; right[c + j] = l[j] + 1; lr[c + j] = f[j]; }
            }
        }
        tail = std::min(c, wout);
        double xt = -xs + c * xs;
        for (long cc = c; cc < wout; ++cc) {
            xt += xs;
            const long lf = (long)std::floor(xt);
            left[cc] = (int32_t)lf;
            right[cc] = (int32_t)std::min(lf + 1, win - 1);
            lr_tail[cc] = xt - lf;
        }
        top.assign(hout, 0); bottom.assign(hout, 0); tb.assign(hout, 0);
        double y = -ys;
        for (long r = 0; r < hout; ++r) {
            y += ys;
            const long t = (long)std::floor(y);
            top[r] = t;
            bottom[r] = std::min(t + 1, hin - 1);
            tb[r] = y - t;
        }
    }

    // The input region that output columns [c0, c1] and rows [r0, r1] read.
    dlib::rectangle needs(const dlib::rectangle &out) const {
        long l = left[out.left()], r = right[out.right()];
        for (long c = out.left(); c <= out.right(); ++c) { l = std::min<long>(l, left[c]); r = std::max<long>(r, right[c]); }
        return dlib::rectangle(l, top[out.top()], r, bottom[out.bottom()]);
    }

    void run(const region_image &in, const dlib::rectangle &want, region_image &out) const {
        out.x0 = want.left(); out.y0 = want.top(); out.w = want.width(); out.h = want.height();
        out.px.resize(out.w * out.h);
        // Input rows as floats, 4 per pixel (r, g, b, 0), converted once per row: each input
        // pixel is read by several output pixels. Two rows are kept (top and bottom are
        // consecutive rows, so one of each parity). The arithmetic per lane is dlib's.
        std::vector<float> rows[2] = {std::vector<float>(in.w * 4), std::vector<float>(in.w * 4)};
        long cached[2] = {-1, -1};
        auto row_of = [&](long y) -> const float * {
            const int slot = y & 1;
            if (cached[slot] != y) {
                const rgb8 *p = in.row(y);
                float *q = rows[slot].data();
                for (long i = 0; i < in.w; ++i) { q[4 * i] = p[i].r; q[4 * i + 1] = p[i].g; q[4 * i + 2] = p[i].b; q[4 * i + 3] = 0; }
                cached[slot] = y;
            }
            return rows[slot].data() - in.x0 * 4;
        };
        const long simd_end = std::min(want.right() + 1, tail);
        for (long r = want.top(); r <= want.bottom(); ++r) {
            const float *t = row_of(top[r]);
            const float *b = row_of(bottom[r]);
            const rgb8 *t8 = in.row(top[r]) - in.x0, *b8 = in.row(bottom[r]) - in.x0;
            const double tbd = tb[r];
            const float ftb = (float)tbd, finv = (float)(1 - tbd);
            rgb8 *o = out.px.data() + (r - out.y0) * out.w - out.x0;
            for (long c = want.left(); c < simd_end; ++c) {
                const float f = lr[c], inv = 1.0f - f;
                const float tlf = finv * inv, trf = finv * f, blf = ftb * inv, brf = ftb * f;
                const long L = left[c] * 4, R = right[c] * 4;
#if defined(__SSE2__)
                __m128 v = _mm_add_ps(_mm_add_ps(_mm_add_ps(_mm_mul_ps(_mm_set1_ps(tlf), _mm_loadu_ps(t + L)),
                                                            _mm_mul_ps(_mm_set1_ps(trf), _mm_loadu_ps(t + R))),
                                                 _mm_mul_ps(_mm_set1_ps(blf), _mm_loadu_ps(b + L))),
                                      _mm_mul_ps(_mm_set1_ps(brf), _mm_loadu_ps(b + R)));
                alignas(16) int32_t iv[4];
                _mm_store_si128(reinterpret_cast<__m128i *>(iv), _mm_cvttps_epi32(v));
                o[c].r = (uint8_t)iv[0]; o[c].g = (uint8_t)iv[1]; o[c].b = (uint8_t)iv[2];
#else
                o[c].r = (uint8_t)(int32_t)(tlf * t[L] + trf * t[R] + blf * b[L] + brf * b[R]);
                o[c].g = (uint8_t)(int32_t)(tlf * t[L + 1] + trf * t[R + 1] + blf * b[L + 1] + brf * b[R + 1]);
                o[c].b = (uint8_t)(int32_t)(tlf * t[L + 2] + trf * t[R + 2] + blf * b[L + 2] + brf * b[R + 2]);
#endif
            }
            for (long c = std::max(want.left(), tail); c <= want.right(); ++c) {
                const double f = lr_tail[c];
                const rgb8 &TL = t8[left[c]], &TR = t8[right[c]], &BL = b8[left[c]], &BR = b8[right[c]];
                auto mix = [&](double tl, double tr, double bl, double br) {
                    return (uint8_t)((1 - tbd) * ((1 - f) * tl + f * tr) + tbd * ((1 - f) * bl + f * br));
                };
                o[c].r = mix(TL.r, TR.r, BL.r, BR.r);
                o[c].g = mix(TL.g, TR.g, BL.g, BR.g);
                o[c].b = mix(TL.b, TR.b, BL.b, BR.b);
            }
        }
    }
};

}  // namespace kiosk_pyramid
