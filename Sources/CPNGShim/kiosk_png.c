#include "kiosk_png.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_error(char *error, size_t error_size, const char *message) {
    if (error != NULL && error_size > 0) snprintf(error, error_size, "%s", message);
}

static int begin(png_image *image, const uint8_t *data, size_t size, char *error, size_t error_size) {
    memset(image, 0, sizeof(*image));
    image->version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(image, data, size)) {
        set_error(error, error_size, image->message[0] ? image->message : "not a readable PNG");
        png_image_free(image);
        return -1;
    }
    return 0;
}

int kiosk_png_size(const uint8_t *data, size_t size, long *width, long *height, char *error, size_t error_size) {
    png_image image;
    if (begin(&image, data, size, error, error_size) != 0) return -1;
    *width = (long)image.width;
    *height = (long)image.height;
    png_image_free(&image);
    return 0;
}

int kiosk_png_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb, size_t rgb_size, char *error,
                         size_t error_size) {
    png_image image;
    if (begin(&image, data, size, error, error_size) != 0) return -1;
    const size_t pixels = (size_t)image.width * (size_t)image.height;
    if (rgb_size < pixels * 3) {
        set_error(error, error_size, "output buffer too small");
        png_image_free(&image);
        return -1;
    }
    // Decode as RGBA and drop alpha ourselves: asking libpng for RGB would
    // composite over a background and change the pixels.
    image.format = PNG_FORMAT_RGBA;
    uint8_t *rgba = malloc(pixels * 4);
    if (rgba == NULL) {
        set_error(error, error_size, "out of memory");
        png_image_free(&image);
        return -1;
    }
    if (!png_image_finish_read(&image, NULL, rgba, 0, NULL)) {
        set_error(error, error_size, image.message[0] ? image.message : "corrupt PNG data");
        png_image_free(&image);
        free(rgba);
        return -1;
    }
    for (size_t i = 0; i < pixels; ++i) {
        rgb[i * 3 + 0] = rgba[i * 4 + 0];
        rgb[i * 3 + 1] = rgba[i * 4 + 1];
        rgb[i * 3 + 2] = rgba[i * 4 + 2];
    }
    free(rgba);
    png_image_free(&image);
    return 0;
}
