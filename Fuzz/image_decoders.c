// libFuzzer target for the photo decoders the kiosk feeds untrusted files to: the
// JPEG path (libjpeg-turbo: header, then decompress to RGB) and the PNG path (our
// CPNGShim over libpng), with the same pixel limit the Swift side applies before it
// allocates. Built and run by scripts/fuzz-images with AddressSanitizer.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include "kiosk_png.h"

// The Swift default (ImageLimits): 50 megapixels. Kept small enough here that one input
// cannot exhaust the fuzzer's memory limit.
#define MAX_PIXELS (50L * 1000 * 1000)

static void decode_jpeg(const uint8_t *data, size_t size) {
    tjhandle handle = tjInitDecompress();
    if (!handle) return;
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handle, data, (unsigned long)size, &width, &height, &subsampling, &colorspace) == 0
        && width > 0 && height > 0 && (long)width * (long)height <= MAX_PIXELS) {
        uint8_t *rgb = malloc((size_t)width * (size_t)height * 3);
        if (rgb) {
            tjDecompress2(handle, data, (unsigned long)size, rgb, width, 0, height, TJPF_RGB, TJFLAG_ACCURATEDCT);
            free(rgb);
        }
    }
    tjDestroy(handle);
}

static void decode_png(const uint8_t *data, size_t size) {
    long width = 0, height = 0;
    char error[256];
    if (kiosk_png_size(data, size, &width, &height, error, sizeof error) != 0) return;
    if (width <= 0 || height <= 0 || width * height > MAX_PIXELS) return;
    size_t bytes = (size_t)width * (size_t)height * 3;
    uint8_t *rgb = malloc(bytes);
    if (!rgb) return;
    kiosk_png_decode_rgb(data, size, rgb, bytes, error, sizeof error);
    free(rgb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // Both decoders see every input: the format sniffing is not what is being tested.
    decode_jpeg(data, size);
    decode_png(data, size);
    return 0;
}
