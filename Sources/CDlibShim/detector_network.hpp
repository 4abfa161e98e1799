// The layer layout of mmod_human_face_detector.dat, dlib's CNN face detector (max-margin
// object detection). As with the descriptor, the file holds weights only: this type must
// describe the trained network layer for layer or deserialisation fails.
#pragma once
#include <dlib/dnn.h>

namespace kiosk_net {
using namespace dlib;

// A 5x5 convolution, batch norm frozen as an affine layer, ReLU; `step` 2 halves the size.
template <long filters, long step, typename input>
using mmod_block = relu<affine<con<filters, 5, 5, step, step, input>>>;

// Three strided blocks bring the image to 1/8 size before the detection layers.
template <typename input>
using mmod_downsample = mmod_block<32, 2, mmod_block<32, 2, mmod_block<16, 2, input>>>;

// The input is a pyramid (each level 5/6 of the previous, tiled into one image), so a
// single pass scores every window size; the final 9x9 convolution scores each position.
using face_detector_net = loss_mmod<con<1, 9, 9, 1, 1,
    mmod_block<45, 1, mmod_block<45, 1, mmod_block<45, 1,
    mmod_downsample<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;
}  // namespace kiosk_net
