/* Times ZBar on grayscale PGM (P5) frames, for comparison with airsign's decoder only; it is
 * not part of airsign. Build: cc -O2 zbar_decode.c -lzbar -o zbar_decode
 * Usage: zbar_decode FRAME.pgm...   Prints one line per frame: "<ms> <text or ->".
 * Only QR is enabled, and only zbar_scan_image is timed (not file loading). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zbar.h>

static unsigned char *read_pgm(const char *path, int *w, int *h) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  int maxval;
  if (fscanf(f, "P5 %d %d %d", w, h, &maxval) != 3 || maxval != 255) { fclose(f); return NULL; }
  fgetc(f);
  size_t n = (size_t)(*w) * (size_t)(*h);
  unsigned char *buf = malloc(n);
  if (!buf || fread(buf, 1, n, f) != n) { free(buf); fclose(f); return NULL; }
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  zbar_image_scanner_t *scanner = zbar_image_scanner_create();
  zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
  for (int i = 1; i < argc; i++) {
    int w, h;
    unsigned char *buf = read_pgm(argv[i], &w, &h);
    if (!buf) { fprintf(stderr, "cannot read %s\n", argv[i]); return 2; }
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, w, h);
    zbar_image_set_data(img, buf, (unsigned long)w * h, zbar_image_free_data);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = zbar_scan_image(scanner, img);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    const zbar_symbol_t *sym = n > 0 ? zbar_image_first_symbol(img) : NULL;
    /* One line a frame: newlines, carriage returns and backslashes in the text escaped. */
    printf("%.3f ", ms);
    if (!sym) {
      fputs("-", stdout);
    } else {
      for (const char *c = zbar_symbol_get_data(sym); *c; c++) {
        if (*c == '\n') fputs("\\n", stdout);
        else if (*c == '\r') fputs("\\r", stdout);
        else if (*c == '\\') fputs("\\\\", stdout);
        else putchar(*c);
      }
    }
    putchar('\n');
    zbar_image_destroy(img);
  }
  zbar_image_scanner_destroy(scanner);
  return 0;
}
