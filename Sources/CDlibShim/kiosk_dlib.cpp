// dlib behind a C ABI. Every entry point catches all C++ exceptions and turns them
// into an error string: an exception must never unwind into Swift.
#include "kiosk_dlib.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include "detector_network.hpp"
#include "face_network.hpp"
#include "pyramid_region.hpp"
#include "rgb_view.hpp"

struct kiosk_detector {
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    dlib::array2d<dlib::rgb_pixel> upsampled;  // reused between calls
};

struct kiosk_cnn_detector {
    kiosk_net::face_detector_net net;
    dlib::matrix<dlib::rgb_pixel> image;  // the network takes a dlib matrix; reused between calls
};

struct kiosk_landmarker {
    dlib::shape_predictor predictor;
};

struct kiosk_encoder {
    kiosk_net::face_descriptor_net net;
    dlib::matrix<dlib::rgb_pixel> chip;  // reused between calls
};

namespace {

void write_error(char *error, size_t error_size, const std::string &message) {
    if (error == nullptr || error_size == 0) return;
    std::snprintf(error, error_size, "%s", message.c_str());
}

template <typename Body>
int guarded(char *error, size_t error_size, Body body) {
    try {
        return body();
    } catch (const std::exception &e) {
        write_error(error, error_size, e.what());
    } catch (...) {
        write_error(error, error_size, "unknown C++ exception in dlib");
    }
    return -1;
}

dlib::rectangle to_dlib(const kiosk_rect &r) { return dlib::rectangle(r.left, r.top, r.right, r.bottom); }

dlib::full_object_detection to_shape(const kiosk_rect &box, const kiosk_landmarks &landmarks) {
    std::vector<dlib::point> parts;
    for (int i = 0; i < 5; ++i) parts.emplace_back(landmarks.x[i], landmarks.y[i]);
    return dlib::full_object_detection(to_dlib(box), parts);
}

bool valid_image(const uint8_t *rgb, long width, long height, char *error, size_t error_size) {
    if (rgb == nullptr || width <= 0 || height <= 0) {
        write_error(error, error_size, "empty image");
        return false;
    }
    return true;
}

// The exact search's detections near `near` (image coordinates), found by scanning only
// a few levels of its pyramid and only a region of each (see kiosk_detect_near).
std::vector<dlib::rect_detection> detect_near(const dlib::frontal_face_detector &detector, const kiosk_rgb_view &view,
                                              int upsample, const dlib::rectangle &near) {
    using namespace kiosk_pyramid;
    const auto &scanner = detector.get_scanner();
    const dlib::pyramid_down<2> up_pyramid;
    const dlib::pyramid_down<6> pyramid;
    std::vector<dlib::rect_detection> found;

    region_image source;
    source.w = view.columns;
    source.h = view.rows;
    source.px.resize(source.w * source.h);
    std::memcpy(source.px.data(), view.pixels, source.px.size() * 3);

    // The resizes of the exact search: `upsample` times pyramid_up, then pyramid_down<6>.
    std::vector<resize_stage> stages;
    long w = source.w, h = source.h;
    for (int i = 0; i < upsample; ++i) {
        const dlib::rectangle up = up_pyramid.rect_up(dlib::rectangle(0, 0, w - 1, h - 1));
        stages.emplace_back(w, h, up.right() + 1, up.bottom() + 1);
        w = stages.back().wout;
        h = stages.back().hout;
    }
    // How many levels the scanner makes of the upsampled image (create_fhog_pyramid's count).
    unsigned long levels = 0;
    {
        dlib::rectangle r(0, 0, w - 1, h - 1);
        do {
            r = pyramid.rect_down(r);
            ++levels;
        } while (r.width() >= scanner.get_min_pyramid_layer_width() && r.height() >= scanner.get_min_pyramid_layer_height() &&
                 levels < scanner.get_max_pyramid_levels());
    }
    // The level where the detector's window (80 px) is the size of `near`; the levels one
    // below and two above it (the half-size search's box tends to be smaller than the exact one).
    const unsigned long cell = scanner.get_cell_size();
    const unsigned long window_w = scanner.get_fhog_window_width(), window_h = scanner.get_fhog_window_height();
    const unsigned long padding = scanner.get_padding();
    const double window_px = double((window_w - 2 * padding) * cell);
    const dlib::drectangle near0 = up_pyramid.rect_up(dlib::drectangle(near), upsample);
    if (near0.width() <= 0) return found;
    const long level = std::lround(std::log(near0.width() / window_px) / std::log(6.0 / 5.0));
    const long first = std::max(0L, level - 1), last = std::min<long>(long(levels) - 1, level + 2);
    if (last < first) return found;
    std::vector<std::pair<long, long>> sizes{{w, h}};
    for (long k = 1; k <= last; ++k) {
        stages.emplace_back(w, h, (5 * w) / 6, (5 * h) / 6);
        w = stages.back().wout;
        h = stages.back().hout;
        sizes.push_back({w, h});
    }
    // Stage producing level k: with upsampling, level 0 is the last pyramid_up's output.
    auto stage_of_level = [&](long k) -> long { return upsample > 0 ? upsample - 1 + k : k - 1; };

    // Per scanned level: the boxes accepted (`near` grown by a quarter of its width), and the
    // region computed (those boxes grown by 40 px, enough for every feature a window reads:
    // its cells, their block normalisation and the gradient, so their scores are the full
    // search's), its corner on the 8 px cell grid of the whole level.
    const long guard = 40;
    std::vector<dlib::rectangle> accept(last + 1), region(last + 1);
    for (long s = first; s <= last; ++s) {
        const dlib::drectangle r = pyramid.rect_down(near0, s);
        const double e = 0.25 * r.width();
        accept[s] = dlib::rectangle(long(std::floor(r.left() - e)), long(std::floor(r.top() - e)),
                                    long(std::ceil(r.right() + e)), long(std::ceil(r.bottom() + e)));
        dlib::rectangle c = dlib::grow_rect(accept[s], guard).intersect(dlib::rectangle(0, 0, sizes[s].first - 1, sizes[s].second - 1));
        if (!c.is_empty()) {
            c.left() -= c.left() % long(cell);
            c.top() -= c.top() % long(cell);
        }
        region[s] = c;
    }
    // What each stage must produce: its level's region, and what the next stage reads.
    const long count = long(stages.size());
    std::vector<dlib::rectangle> need(count);
    for (long i = count - 1; i >= 0; --i) {
        dlib::rectangle r;
        if (i + 1 < count && !need[i + 1].is_empty()) r = stages[i + 1].needs(need[i + 1]);
        for (long s = first; s <= last; ++s)
            if (stage_of_level(s) == i && !region[s].is_empty()) r = r.is_empty() ? region[s] : (r + region[s]);
        need[i] = r;
    }
    std::vector<region_image> made(count);
    const region_image *previous = &source;
    for (long i = 0; i < count; ++i) {
        if (need[i].is_empty()) return found;
        stages[i].run(*previous, need[i], made[i]);
        previous = &made[i];
    }

    // Scan each region as scan_fhog_pyramid scans a level, with every weight vector of the
    // detector; keep the boxes inside `accept`, map them to the upsampled image as the
    // scanner does (rect_up by the level), then non-max suppression as object_detector does.
    const auto &extractor = scanner.get_feature_extractor();
    std::vector<dlib::rect_detection> all;
    dlib::array2d<dlib::rgb_pixel> image;
    dlib::array<dlib::array<dlib::array2d<float>>> features;
    features.set_max_size(1);
    features.set_size(1);
    std::vector<std::pair<double, dlib::rectangle>> dets;
    for (long s = first; s <= last; ++s) {
        const dlib::rectangle &c = region[s];
        if (c.is_empty()) continue;
        const region_image &pixels = (s == 0 && upsample == 0) ? source : made[stage_of_level(s)];
        image.set_size(c.height(), c.width());
        for (long r = 0; r < image.nr(); ++r)
            std::memcpy(&image[r][0], pixels.row(c.top() + r) + (c.left() - pixels.x0), image.nc() * 3);
        extractor(image, features[0], cell, window_h, window_w);
        for (unsigned long d = 0; d < detector.num_detectors(); ++d) {
            const double thresh = detector.get_processed_w(d).w(scanner.get_num_dimensions());
            dlib::impl::detect_from_fhog_pyramid<dlib::pyramid_down<6>>(
                features, extractor, detector.get_processed_w(d).get_detect_argument(), thresh,
                window_h - 2 * padding, window_w - 2 * padding, cell, window_h, window_w, dets);
            for (const auto &det : dets) {
                const dlib::rectangle r = dlib::translate_rect(det.second, c.left(), c.top());
                if (!accept[s].contains(r)) continue;
                dlib::rect_detection t;
                t.detection_confidence = det.first - thresh;
                t.weight_index = d;
                t.rect = pyramid.rect_up(dlib::drectangle(r), s);
                all.push_back(t);
            }
        }
    }
    std::sort(all.rbegin(), all.rend());
    const dlib::test_box_overlap overlaps = detector.get_overlap_tester();
    for (const auto &candidate : all) {
        bool suppressed = false;
        for (const auto &kept : found)
            if (overlaps(kept.rect, candidate.rect)) { suppressed = true; break; }
        if (!suppressed) found.push_back(candidate);
    }
    if (upsample > 0)
        for (auto &d : found) d.rect = up_pyramid.rect_down(d.rect, upsample);
    return found;
}

}  // namespace

extern "C" {

kiosk_detector *kiosk_detector_create(char *error, size_t error_size) {
    try {
        return new kiosk_detector();
    } catch (const std::exception &e) {
        write_error(error, error_size, e.what());
    }
    return nullptr;
}

void kiosk_detector_destroy(kiosk_detector *detector) { delete detector; }

int kiosk_detect(kiosk_detector *detector, const uint8_t *rgb, long width, long height, int upsample,
                 kiosk_rect *out, int capacity, char *error, size_t error_size) {
    if (!valid_image(rgb, width, height, error, error_size)) return -1;
    return guarded(error, error_size, [&]() -> int {
        const kiosk_rgb_view view = kiosk_make_view(rgb, width, height);
        std::vector<dlib::rect_detection> found;
        // Same steps as dlib's Python binding (run_detector_with_upscale), which
        // face_recognition calls: upsample with pyramid_up, detect at threshold 0,
        // then map rectangles back with the pyramid's rect_down.
        if (upsample <= 0) {
            detector->detector(view, found, 0.0);
        } else {
            dlib::pyramid_down<2> pyramid;
            dlib::pyramid_up(view, detector->upsampled, pyramid);
            for (int level = 1; level < upsample; ++level) dlib::pyramid_up(detector->upsampled, pyramid);
            detector->detector(detector->upsampled, found, 0.0);
            for (auto &d : found) d.rect = pyramid.rect_down(d.rect, upsample);
        }
        const int count = static_cast<int>(found.size());
        for (int i = 0; i < count && i < capacity; ++i) {
            const dlib::rectangle &r = found[i].rect;
            out[i] = kiosk_rect{r.left(), r.top(), r.right(), r.bottom(), found[i].detection_confidence};
        }
        return count;
    });
}

int kiosk_detect_near(kiosk_detector *detector, const uint8_t *rgb, long width, long height, int upsample,
                      kiosk_rect near, kiosk_rect *out, int capacity, char *error, size_t error_size) {
    if (!valid_image(rgb, width, height, error, error_size)) return -1;
    return guarded(error, error_size, [&]() -> int {
        const kiosk_rgb_view view = kiosk_make_view(rgb, width, height);
        const std::vector<dlib::rect_detection> found = detect_near(detector->detector, view, std::max(0, upsample), to_dlib(near));
        const int count = static_cast<int>(found.size());
        for (int i = 0; i < count && i < capacity; ++i) {
            const dlib::rectangle &r = found[i].rect;
            out[i] = kiosk_rect{r.left(), r.top(), r.right(), r.bottom(), found[i].detection_confidence};
        }
        return count;
    });
}

kiosk_cnn_detector *kiosk_cnn_detector_create(const char *model_path, char *error, size_t error_size) {
    kiosk_cnn_detector *detector = nullptr;
    try {
        detector = new kiosk_cnn_detector();
        dlib::deserialize(model_path) >> detector->net;
        return detector;
    } catch (const std::exception &e) {
        write_error(error, error_size, e.what());
    } catch (...) {
        write_error(error, error_size, "unknown error while loading the CNN detector model");
    }
    delete detector;
    return nullptr;
}

void kiosk_cnn_detector_destroy(kiosk_cnn_detector *detector) { delete detector; }

int kiosk_cnn_detect(kiosk_cnn_detector *detector, const uint8_t *rgb, long width, long height, int upsample,
                     kiosk_rect *out, int capacity, char *error, size_t error_size) {
    if (!valid_image(rgb, width, height, error, error_size)) return -1;
    return guarded(error, error_size, [&]() -> int {
        const kiosk_rgb_view view = kiosk_make_view(rgb, width, height);
        dlib::assign_image(detector->image, view);
        // As dlib's Python binding (cnn_face_detection_model_v1) does it: upsample with
        // pyramid_up, run the network, map rectangles back to the original image.
        dlib::pyramid_down<2> pyramid;
        for (int level = 0; level < upsample; ++level) dlib::pyramid_up(detector->image, pyramid);
        std::vector<dlib::mmod_rect> found = detector->net(detector->image);
        int count = 0;
        for (const auto &d : found) {
            if (d.ignore) continue;
            const dlib::rectangle r = upsample > 0 ? dlib::rectangle(pyramid.rect_down(d.rect, upsample)) : d.rect;
            if (count < capacity) out[count] = kiosk_rect{r.left(), r.top(), r.right(), r.bottom(), d.detection_confidence};
            ++count;
        }
        return count;
    });
}

kiosk_landmarker *kiosk_landmarker_create(const char *model_path, char *error, size_t error_size) {
    kiosk_landmarker *landmarker = nullptr;
    try {
        landmarker = new kiosk_landmarker();
        dlib::deserialize(model_path) >> landmarker->predictor;
        if (landmarker->predictor.num_parts() != 5) {
            write_error(error, error_size, "expected a 5-point shape predictor, found " +
                                               std::to_string(landmarker->predictor.num_parts()) + " points");
            delete landmarker;
            return nullptr;
        }
        return landmarker;
    } catch (const std::exception &e) {
        write_error(error, error_size, e.what());
    } catch (...) {
        write_error(error, error_size, "unknown error while loading the landmark model");
    }
    delete landmarker;
    return nullptr;
}

void kiosk_landmarker_destroy(kiosk_landmarker *landmarker) { delete landmarker; }

int kiosk_landmarks_find(kiosk_landmarker *landmarker, const uint8_t *rgb, long width, long height,
                         kiosk_rect box, kiosk_landmarks *out, char *error, size_t error_size) {
    if (!valid_image(rgb, width, height, error, error_size)) return -1;
    return guarded(error, error_size, [&]() -> int {
        const kiosk_rgb_view view = kiosk_make_view(rgb, width, height);
        const dlib::full_object_detection shape = landmarker->predictor(view, to_dlib(box));
        for (int i = 0; i < 5; ++i) {
            out->x[i] = shape.part(i).x();
            out->y[i] = shape.part(i).y();
        }
        return 0;
    });
}

kiosk_encoder *kiosk_encoder_create(const char *model_path, char *error, size_t error_size) {
    kiosk_encoder *encoder = nullptr;
    try {
        encoder = new kiosk_encoder();
        dlib::deserialize(model_path) >> encoder->net;
        return encoder;
    } catch (const std::exception &e) {
        write_error(error, error_size, e.what());
    } catch (...) {
        write_error(error, error_size, "unknown error while loading the descriptor model");
    }
    delete encoder;
    return nullptr;
}

void kiosk_encoder_destroy(kiosk_encoder *encoder) { delete encoder; }

int kiosk_encode_face(kiosk_encoder *encoder, const uint8_t *rgb, long width, long height, kiosk_rect box,
                      const kiosk_landmarks *landmarks, int jitters, float *out128, uint8_t *chip_rgb,
                      char *error, size_t error_size) {
    if (!valid_image(rgb, width, height, error, error_size)) return -1;
    return guarded(error, error_size, [&]() -> int {
        const kiosk_rgb_view view = kiosk_make_view(rgb, width, height);
        const dlib::full_object_detection shape = to_shape(box, *landmarks);
        // face_recognition's defaults: 150 px chip, 0.25 padding, no jitter.
        const dlib::chip_details details = dlib::get_face_chip_details(shape, KIOSK_CHIP_SIZE, 0.25);
        dlib::extract_image_chip(view, details, encoder->chip);
        dlib::matrix<float, 0, 1> descriptor;
        if (jitters <= 1) {
            descriptor = encoder->net(encoder->chip);
        } else {
            // The mean descriptor of randomly shifted, scaled, rotated and mirrored copies
            // of the chip (dlib's num_jitters). A fixed seed keeps templates reproducible.
            dlib::rand random(0);
            std::vector<dlib::matrix<dlib::rgb_pixel>> copies;
            copies.reserve(static_cast<size_t>(jitters));
            for (int i = 0; i < jitters; ++i) copies.push_back(dlib::jitter_image(encoder->chip, random));
            const std::vector<dlib::matrix<float, 0, 1>> descriptors = encoder->net(copies);
            descriptor = descriptors.front();
            for (size_t i = 1; i < descriptors.size(); ++i) descriptor += descriptors[i];
            descriptor /= static_cast<float>(descriptors.size());
        }
        if (descriptor.size() != 128) {
            write_error(error, error_size, "descriptor has " + std::to_string(descriptor.size()) + " values, expected 128");
            return -1;
        }
        for (long i = 0; i < 128; ++i) out128[i] = descriptor(i);
        if (chip_rgb != nullptr) {
            std::memcpy(chip_rgb, dlib::image_data(encoder->chip), KIOSK_CHIP_SIZE * KIOSK_CHIP_SIZE * 3);
        }
        return 0;
    });
}

}  // extern "C"
