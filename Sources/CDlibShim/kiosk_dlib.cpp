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
