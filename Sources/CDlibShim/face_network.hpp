// The layer layout of dlib_face_recognition_resnet_model_v1.dat: a 29-layer ResNet
// with 150x150 RGB input and a 128-D metric-learning output. The model file stores
// only weights, so this type must describe exactly the network that was trained.
#pragma once
#include <dlib/dnn.h>

namespace kiosk_net {
using namespace dlib;

// Two 3x3 convolutions, each followed by (frozen) batch norm as an affine layer.
template <int filters, template <typename> class norm, int stride, typename input>
using conv_pair = norm<con<filters, 3, 3, 1, 1, relu<norm<con<filters, 3, 3, stride, stride, input>>>>>;

// Identity shortcut: output = block(x) + x.
template <template <int, template <typename> class, int, typename> class body, int filters,
          template <typename> class norm, typename input>
using shortcut = add_prev1<body<filters, norm, 1, tag1<input>>>;

// Downsampling shortcut: the block strides by 2, the skip path is average-pooled by 2.
template <template <int, template <typename> class, int, typename> class body, int filters,
          template <typename> class norm, typename input>
using shortcut_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<body<filters, norm, 2, tag1<input>>>>>>;

template <int filters, typename input> using unit = relu<shortcut<conv_pair, filters, affine, input>>;
template <int filters, typename input> using unit_down = relu<shortcut_down<conv_pair, filters, affine, input>>;

template <typename input> using stage0 = unit_down<256, input>;
template <typename input> using stage1 = unit<256, unit<256, unit_down<256, input>>>;
template <typename input> using stage2 = unit<128, unit<128, unit_down<128, input>>>;
template <typename input> using stage3 = unit<64, unit<64, unit<64, unit_down<64, input>>>>;
template <typename input> using stage4 = unit<32, unit<32, unit<32, input>>>;

using face_descriptor_net = loss_metric<fc_no_bias<128, avg_pool_everything<
    stage0<stage1<stage2<stage3<stage4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2,
    input_rgb_image_sized<150>>>>>>>>>>>>>;
}  // namespace kiosk_net
