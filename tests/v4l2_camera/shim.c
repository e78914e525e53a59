/*
 * A USB webcam in userspace, for tests: loaded with LD_PRELOAD, it answers the calls a
 * V4L2 client makes for /dev/video0-3 (open, ioctl and syscall(SYS_ioctl), mmap, poll,
 * read, close, and the /dev listing and sysfs names that enumerate devices) the way a
 * laptop's UVC camera does. No kernel module, no root.
 *
 * The nodes are those of a typical laptop (what `v4l2-ctl --list-devices` shows on
 * ThinkPads and Dells with a face-login camera):
 *   video0  colour camera: MJPEG 640x480, 1280x720, 1920x1080 at 30/15 fps;
 *           YUYV 640x480 at 30/15, 1280x720 at 10/5, 1920x1080 at 5 (USB 2 bandwidth)
 *   video1  its UVC metadata node (V4L2_CAP_META_CAPTURE, no video formats)
 *   video2  infrared camera: GREY 640x360 at 15 fps
 *   video3  its metadata node
 *
 * The frames come from files the test writes: $V4L2SHIM_DIR/<FOURCC>-<W>x<H>.frames, a
 * sequence of records (u32 little-endian length, then that many bytes). Camera frame k
 * (k = 0, 1, ... from STREAMON, one every frame interval on CLOCK_MONOTONIC) is record
 * k mod n. As in the kernel's videobuf2, a frame is written into the oldest queued buffer
 * when it is due; when no buffer is queued (the client is slow) the frame is lost and the
 * sequence number skips it. Raw modes without a file get mid-grey frames; an MJPEG mode
 * without a file delivers frames flagged V4L2_BUF_FLAG_ERROR with no bytes.
 *
 * Faults, from the environment:
 *   V4L2SHIM_UNPLUG_AFTER=N  after N frames have been dequeued the camera is unplugged:
 *                            every call on an open node fails with ENODEV, poll reports
 *                            POLLERR, and the nodes leave /dev.
 *   V4L2SHIM_CORRUPT_EVERY=N every Nth MJPEG frame loses its first third (the start of
 *                            the JPEG with it) and is flagged V4L2_BUF_FLAG_ERROR, as
 *                            uvcvideo delivers a frame whose first USB packets were lost.
 *   V4L2SHIM_LOG=FILE        one line per format change, stream start and stop.
 *
 * uvcvideo offers no read() I/O, so read() on a node fails with EINVAL, as it does there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- the devices ---- */

struct size_mode {
    uint32_t w, h;
    uint32_t fps[2];
    int nfps;
};
struct format_desc {
    uint32_t fourcc;
    const char *description;
    uint32_t flags;
    const struct size_mode *sizes;
    int nsizes;
};

static const struct size_mode mjpeg_sizes[] = {
    {640, 480, {30, 15}, 2}, {1280, 720, {30, 15}, 2}, {1920, 1080, {30, 15}, 2}};
static const struct size_mode yuyv_sizes[] = {
    {640, 480, {30, 15}, 2}, {1280, 720, {10, 5}, 2}, {1920, 1080, {5, 0}, 1}};
static const struct size_mode grey_sizes[] = {{640, 360, {15, 0}, 1}};
static const struct format_desc colour_formats[] = {
    {V4L2_PIX_FMT_MJPEG, "Motion-JPEG", V4L2_FMT_FLAG_COMPRESSED, mjpeg_sizes, 3},
    {V4L2_PIX_FMT_YUYV, "YUYV 4:2:2", 0, yuyv_sizes, 3}};
static const struct format_desc infrared_formats[] = {
    {V4L2_PIX_FMT_GREY, "8-bit Greyscale", 0, grey_sizes, 1}};

enum node_kind { COLOUR, METADATA, INFRARED };
struct node_desc {
    enum node_kind kind;
    const char *name;
    const struct format_desc *formats;
    int nformats;
};
#define NODES 4
static const struct node_desc node_descs[NODES] = {
    {COLOUR, "Integrated Camera: Integrated C", colour_formats, 2},
    {METADATA, "Integrated Camera: Integrated C", NULL, 0},
    {INFRARED, "Integrated Camera: Integrated I", infrared_formats, 1},
    {METADATA, "Integrated Camera: Integrated I", NULL, 0},
};

#define MAX_BUFFERS 32
struct buffer {
    int queued, done, mapped;
    uint32_t bytesused, sequence, flags;
    uint64_t timestamp_ns;
};

struct node {
    int powered;
    uint32_t fourcc, width, height, fps;
    int nbuffers;
    uint32_t buffer_length; /* page-aligned stride in the memory file */
    int memfd;
    uint8_t *memory;
    struct buffer buffers[MAX_BUFFERS];
    int queue[MAX_BUFFERS], nqueue; /* queued, oldest first */
    int done[MAX_BUFFERS], ndone;   /* filled, oldest first */
    int streaming;
    uint64_t started_ns, next_frame;
    uint8_t *frames;
    size_t frames_length, nframes, *frame_offsets;
    uint32_t *frame_lengths;
};

static struct node nodes[NODES];
static int fd_node[4096];     /* fd -> node index + 1, 0 when not ours */
static int fd_nonblock[4096];
static int unplugged;
static long dequeued_total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the real functions ---- */

static long (*real_syscall)(long, ...);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static void *(*real_mmap64)(void *, size_t, int, int, int, off_t);
static int (*real_poll)(struct pollfd *, nfds_t, int);
static ssize_t (*real_read)(int, void *, size_t);
static DIR *(*real_opendir)(const char *);
static struct dirent *(*real_readdir)(DIR *);
static struct dirent64 *(*real_readdir64)(DIR *);
static int (*real_closedir)(DIR *);

static void resolve(void) {
    static int done;
    if (done) return;
    real_syscall = dlsym(RTLD_NEXT, "syscall");
    real_open = dlsym(RTLD_NEXT, "open");
    real_open64 = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_openat64 = dlsym(RTLD_NEXT, "openat64");
    real_close = dlsym(RTLD_NEXT, "close");
    real_ioctl = dlsym(RTLD_NEXT, "ioctl");
    real_mmap = dlsym(RTLD_NEXT, "mmap");
    real_mmap64 = dlsym(RTLD_NEXT, "mmap64");
    real_poll = dlsym(RTLD_NEXT, "poll");
    real_read = dlsym(RTLD_NEXT, "read");
    real_opendir = dlsym(RTLD_NEXT, "opendir");
    real_readdir = dlsym(RTLD_NEXT, "readdir");
    real_readdir64 = dlsym(RTLD_NEXT, "readdir64");
    real_closedir = dlsym(RTLD_NEXT, "closedir");
    done = 1;
}

/* ---- helpers ---- */

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static long env_long(const char *name) {
    const char *v = getenv(name);
    return v ? atol(v) : 0;
}

static void log_line(const char *fmt, ...) {
    const char *path = getenv("V4L2SHIM_LOG");
    if (!path) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

static void fourcc_text(uint32_t f, char out[5]) {
    for (int i = 0; i < 4; i++) out[i] = (char)((f >> (8 * i)) & 0xff);
    out[4] = 0;
}

/* Which node a path names: /dev/videoN, or -1. */
static int node_of_path(const char *path) {
    if (!path || strncmp(path, "/dev/video", 10) != 0) return -1;
    const char *d = path + 10;
    if (d[0] < '0' || d[0] > '9' || d[1] != 0) return -1;
    int n = d[0] - '0';
    return n < NODES ? n : -1;
}

/* The sysfs name file of a node (/sys/class/video4linux/videoN/name), or -1. */
static int node_of_sysfs_name(const char *path) {
    const char *prefix = "/sys/class/video4linux/video";
    size_t p = strlen(prefix);
    if (!path || strncmp(path, prefix, p) != 0) return -1;
    const char *d = path + p;
    if (d[0] < '0' || d[0] > '9' || strcmp(d + 1, "/name") != 0) return -1;
    int n = d[0] - '0';
    return n < NODES ? n : -1;
}

static int node_of_fd(int fd) {
    if (fd < 0 || fd >= 4096) return -1;
    return fd_node[fd] - 1;
}

static const struct format_desc *format_of(const struct node_desc *d, uint32_t fourcc) {
    for (int i = 0; i < d->nformats; i++)
        if (d->formats[i].fourcc == fourcc) return &d->formats[i];
    return NULL;
}

static const struct size_mode *size_of(const struct format_desc *f, uint32_t w, uint32_t h) {
    for (int i = 0; i < f->nsizes; i++)
        if (f->sizes[i].w == w && f->sizes[i].h == h) return &f->sizes[i];
    return NULL;
}

static uint32_t bytes_per_line(uint32_t fourcc, uint32_t w) {
    if (fourcc == V4L2_PIX_FMT_YUYV) return w * 2;
    if (fourcc == V4L2_PIX_FMT_GREY) return w;
    return 0; /* compressed */
}

static uint32_t size_image(uint32_t fourcc, uint32_t w, uint32_t h) {
    if (fourcc == V4L2_PIX_FMT_GREY) return w * h;
    /* YUYV exactly; MJPEG: UVC cameras report dwMaxVideoFrameBufferSize, commonly w*h*2. */
    return w * h * 2;
}

static void fill_pix(struct node *n, struct v4l2_pix_format *pix) {
    memset(pix, 0, sizeof *pix);
    pix->width = n->width;
    pix->height = n->height;
    pix->pixelformat = n->fourcc;
    pix->field = V4L2_FIELD_NONE;
    pix->bytesperline = bytes_per_line(n->fourcc, n->width);
    pix->sizeimage = size_image(n->fourcc, n->width, n->height);
    pix->colorspace = V4L2_COLORSPACE_SRGB;
}

static void unload_frames(struct node *n) {
    if (n->frames) munmap(n->frames, n->frames_length);
    free(n->frame_offsets);
    free(n->frame_lengths);
    n->frames = NULL;
    n->frame_offsets = NULL;
    n->frame_lengths = NULL;
    n->nframes = 0;
}

/* Maps $V4L2SHIM_DIR/<FOURCC>-<W>x<H>.frames and indexes its records. */
static void load_frames(struct node *n) {
    unload_frames(n);
    const char *dir = getenv("V4L2SHIM_DIR");
    if (!dir) return;
    char cc[5], path[4096];
    fourcc_text(n->fourcc, cc);
    snprintf(path, sizeof path, "%s/%s-%ux%u.frames", dir, cc, n->width, n->height);
    int fd = real_open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    off_t length = lseek(fd, 0, SEEK_END);
    if (length <= 4) {
        real_close(fd);
        return;
    }
    uint8_t *data = real_mmap(NULL, (size_t)length, PROT_READ, MAP_PRIVATE, fd, 0);
    real_close(fd);
    if (data == MAP_FAILED) return;
    size_t count = 0, at = 0;
    while (at + 4 <= (size_t)length) {
        uint32_t len;
        memcpy(&len, data + at, 4);
        if (at + 4 + len > (size_t)length) break;
        count++;
        at += 4 + len;
    }
    n->frames = data;
    n->frames_length = (size_t)length;
    n->frame_offsets = calloc(count ? count : 1, sizeof(size_t));
    n->frame_lengths = calloc(count ? count : 1, sizeof(uint32_t));
    at = 0;
    for (size_t i = 0; i < count; i++) {
        memcpy(&n->frame_lengths[i], data + at, 4);
        n->frame_offsets[i] = at + 4;
        at += 4 + n->frame_lengths[i];
    }
    n->nframes = count;
}

static void free_buffers(struct node *n) {
    if (n->memory) munmap(n->memory, (size_t)n->buffer_length * (size_t)n->nbuffers);
    if (n->memfd >= 0) real_close(n->memfd);
    n->memory = NULL;
    n->memfd = -1;
    n->nbuffers = 0;
    n->nqueue = n->ndone = 0;
    memset(n->buffers, 0, sizeof n->buffers);
}

static uint64_t interval_ns(struct node *n) {
    return 1000000000ull / (n->fps ? n->fps : 30);
}

/* Camera frame k into the oldest queued buffer, or lost when none is queued. */
static void capture(struct node *n, uint64_t k, uint64_t due) {
    if (n->nqueue == 0) return;
    int index = n->queue[0];
    memmove(n->queue, n->queue + 1, sizeof(int) * (size_t)(--n->nqueue));
    struct buffer *b = &n->buffers[index];
    uint8_t *dst = n->memory + (size_t)index * n->buffer_length;
    uint32_t capacity = size_image(n->fourcc, n->width, n->height);
    b->flags = 0;
    if (n->nframes > 0) {
        size_t r = (size_t)(k % n->nframes);
        uint32_t len = n->frame_lengths[r], skip = 0;
        if (len > capacity) len = capacity;
        long corrupt = env_long("V4L2SHIM_CORRUPT_EVERY");
        if (n->fourcc == V4L2_PIX_FMT_MJPEG && corrupt > 0 && (k + 1) % (uint64_t)corrupt == 0) {
            /* The frame's first USB packets were lost: the data starts mid-scan. */
            skip = len / 3;
            b->flags = V4L2_BUF_FLAG_ERROR;
        }
        memcpy(dst, n->frames + n->frame_offsets[r] + skip, len - skip);
        b->bytesused = len - skip;
    } else if (n->fourcc == V4L2_PIX_FMT_MJPEG) {
        b->bytesused = 0;
        b->flags = V4L2_BUF_FLAG_ERROR;
    } else {
        memset(dst, 0x80, capacity);
        b->bytesused = capacity;
    }
    b->queued = 0;
    b->done = 1;
    b->sequence = (uint32_t)k;
    b->timestamp_ns = due;
    n->done[n->ndone++] = index;
}

/* Runs the camera's clock up to now. */
static void advance(struct node *n) {
    if (!n->streaming) return;
    uint64_t now = now_ns(), step = interval_ns(n);
    /* After a long stall only the last few frames matter (the rest found no buffer). */
    uint64_t due_count = now > n->started_ns ? (now - n->started_ns) / step : 0;
    if (due_count > n->next_frame + MAX_BUFFERS) n->next_frame = due_count - MAX_BUFFERS;
    while (n->next_frame < due_count) {
        n->next_frame++;
        capture(n, n->next_frame - 1, n->started_ns + n->next_frame * step);
    }
}

static uint64_t next_due(struct node *n) {
    return n->started_ns + (n->next_frame + 1) * interval_ns(n);
}

/* ---- ioctl ---- */

static int fail(int e) {
    errno = e;
    return -1;
}

static int handle_ioctl(int fd, int ni, unsigned long request, void *arg) {
    const struct node_desc *d = &node_descs[ni];
    struct node *n = &nodes[ni];
    if (unplugged) return fail(ENODEV);
    if (!arg) return fail(EFAULT);
    switch (request) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *c = arg;
        memset(c, 0, sizeof *c);
        strcpy((char *)c->driver, "uvcvideo");
        snprintf((char *)c->card, sizeof c->card, "%s", d->name);
        snprintf((char *)c->bus_info, sizeof c->bus_info, "usb-0000:00:14.0-%d", ni < 2 ? 8 : 9);
        c->version = (6u << 16) | (1u << 8);
        c->device_caps = (d->kind == METADATA ? V4L2_CAP_META_CAPTURE : V4L2_CAP_VIDEO_CAPTURE) | V4L2_CAP_STREAMING |
                         V4L2_CAP_EXT_PIX_FORMAT;
        c->capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_EXT_PIX_FORMAT |
                          V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || f->index >= (uint32_t)d->nformats) return fail(EINVAL);
        const struct format_desc *fd_ = &d->formats[f->index];
        uint32_t index = f->index;
        memset(f, 0, sizeof *f);
        f->index = index;
        f->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        f->flags = fd_->flags;
        snprintf((char *)f->description, sizeof f->description, "%s", fd_->description);
        f->pixelformat = fd_->fourcc;
        return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *s = arg;
        const struct format_desc *f = format_of(d, s->pixel_format);
        if (!f || s->index >= (uint32_t)f->nsizes) return fail(EINVAL);
        s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        s->discrete.width = f->sizes[s->index].w;
        s->discrete.height = f->sizes[s->index].h;
        return 0;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *i = arg;
        const struct format_desc *f = format_of(d, i->pixel_format);
        const struct size_mode *s = f ? size_of(f, i->width, i->height) : NULL;
        if (!s || i->index >= (uint32_t)s->nfps) return fail(EINVAL);
        i->type = V4L2_FRMIVAL_TYPE_DISCRETE;
        i->discrete.numerator = 1;
        i->discrete.denominator = s->fps[i->index];
        return 0;
    }
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT: {
        struct v4l2_format *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->kind == METADATA) return fail(EINVAL);
        if (request != VIDIOC_G_FMT) {
            /* As uvcvideo: an unknown format becomes the first one, a size the nearest. */
            const struct format_desc *fmt = format_of(d, f->fmt.pix.pixelformat);
            if (!fmt) fmt = &d->formats[0];
            const struct size_mode *best = &fmt->sizes[0];
            uint64_t best_distance = UINT64_MAX;
            for (int i = 0; i < fmt->nsizes; i++) {
                int64_t dw = (int64_t)fmt->sizes[i].w - f->fmt.pix.width, dh = (int64_t)fmt->sizes[i].h - f->fmt.pix.height;
                uint64_t distance = (uint64_t)(dw * dw + dh * dh);
                if (distance < best_distance) best_distance = distance, best = &fmt->sizes[i];
            }
            if (request == VIDIOC_S_FMT) {
                if (n->nbuffers > 0) return fail(EBUSY);
                int same_size = n->width == best->w && n->height == best->h && n->fourcc == fmt->fourcc;
                n->fourcc = fmt->fourcc;
                n->width = best->w;
                n->height = best->h;
                if (!same_size) n->fps = best->fps[0];
                char cc[5];
                fourcc_text(n->fourcc, cc);
                log_line("S_FMT video%d %s %ux%u", ni, cc, n->width, n->height);
            } else {
                struct node probe = *n;
                probe.fourcc = fmt->fourcc, probe.width = best->w, probe.height = best->h;
                fill_pix(&probe, &f->fmt.pix);
                return 0;
            }
        }
        fill_pix(n, &f->fmt.pix);
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *p = arg;
        if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->kind == METADATA) return fail(EINVAL);
        if (request == VIDIOC_S_PARM) {
            if (n->streaming) return fail(EBUSY);
            const struct size_mode *s = size_of(format_of(d, n->fourcc), n->width, n->height);
            struct v4l2_fract t = p->parm.capture.timeperframe;
            uint32_t wanted = t.numerator ? t.denominator / t.numerator : 30;
            uint32_t best = s->fps[0];
            for (int i = 0; i < s->nfps; i++)
                if ((s->fps[i] > wanted ? s->fps[i] - wanted : wanted - s->fps[i]) < (best > wanted ? best - wanted : wanted - best))
                    best = s->fps[i];
            n->fps = best;
            log_line("S_PARM video%d %u fps", ni, n->fps);
        }
        memset(&p->parm, 0, sizeof p->parm);
        p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        p->parm.capture.timeperframe.numerator = 1;
        p->parm.capture.timeperframe.denominator = n->fps;
        p->parm.capture.readbuffers = 0;
        return 0;
    }
    case VIDIOC_REQBUFS: {
        struct v4l2_requestbuffers *r = arg;
        if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->kind == METADATA) return fail(EINVAL);
        if (r->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
        if (n->streaming) return fail(EBUSY);
        free_buffers(n);
        if (r->count == 0) return 0;
        uint32_t count = r->count > MAX_BUFFERS ? MAX_BUFFERS : r->count;
        long page = sysconf(_SC_PAGESIZE);
        uint32_t length = size_image(n->fourcc, n->width, n->height);
        n->buffer_length = (uint32_t)(((length + page - 1) / page) * page);
        n->memfd = memfd_create("v4l2shim-buffers", MFD_CLOEXEC);
        if (n->memfd < 0 || ftruncate(n->memfd, (off_t)n->buffer_length * count) != 0) return fail(ENOMEM);
        n->memory = real_mmap(NULL, (size_t)n->buffer_length * count, PROT_READ | PROT_WRITE, MAP_SHARED, n->memfd, 0);
        if (n->memory == MAP_FAILED) {
            n->memory = NULL;
            return fail(ENOMEM);
        }
        n->nbuffers = (int)count;
        r->count = count;
        r->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
        return 0;
    }
    case VIDIOC_QUERYBUF:
    case VIDIOC_QBUF:
    case VIDIOC_DQBUF: {
        struct v4l2_buffer *b = arg;
        if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || b->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
        if (request == VIDIOC_DQBUF) {
            if (!n->streaming) return fail(EINVAL);
            advance(n);
            while (n->ndone == 0) {
                if (fd_nonblock[fd]) return fail(EAGAIN);
                uint64_t wait = next_due(n) - now_ns();
                pthread_mutex_unlock(&lock);
                struct timespec t = {(time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull)};
                nanosleep(&t, NULL);
                pthread_mutex_lock(&lock);
                if (unplugged) return fail(ENODEV);
                advance(n);
            }
            long limit = env_long("V4L2SHIM_UNPLUG_AFTER");
            if (limit > 0 && dequeued_total >= limit) {
                unplugged = 1;
                log_line("UNPLUG after %ld frames", dequeued_total);
                return fail(ENODEV);
            }
            int index = n->done[0];
            memmove(n->done, n->done + 1, sizeof(int) * (size_t)(--n->ndone));
            n->buffers[index].done = 0;
            b->index = (uint32_t)index;
            dequeued_total++;
        } else if (b->index >= (uint32_t)n->nbuffers) {
            return fail(EINVAL);
        }
        struct buffer *s = &n->buffers[b->index];
        if (request == VIDIOC_QBUF) {
            if (s->queued || s->done) return fail(EINVAL);
            s->queued = 1;
            n->queue[n->nqueue++] = (int)b->index;
        }
        uint32_t index = b->index;
        memset(b, 0, sizeof *b);
        b->index = index;
        b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b->memory = V4L2_MEMORY_MMAP;
        b->length = size_image(n->fourcc, n->width, n->height);
        b->m.offset = index * n->buffer_length;
        b->bytesused = s->bytesused;
        b->field = V4L2_FIELD_NONE;
        b->sequence = s->sequence;
        b->timestamp.tv_sec = (time_t)(s->timestamp_ns / 1000000000ull);
        b->timestamp.tv_usec = (suseconds_t)((s->timestamp_ns % 1000000000ull) / 1000);
        b->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE | s->flags |
                   (s->mapped ? V4L2_BUF_FLAG_MAPPED : 0) | (s->queued ? V4L2_BUF_FLAG_QUEUED : 0) |
                   (s->done ? V4L2_BUF_FLAG_DONE : 0);
        return 0;
    }
    case VIDIOC_STREAMON:
    case VIDIOC_STREAMOFF: {
        if (*(int *)arg != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->kind == METADATA) return fail(EINVAL);
        char cc[5];
        fourcc_text(n->fourcc, cc);
        if (request == VIDIOC_STREAMON) {
            if (n->nbuffers == 0) return fail(EINVAL);
            if (n->streaming) return 0;
            load_frames(n);
            n->streaming = 1;
            n->started_ns = now_ns();
            n->next_frame = 0;
            log_line("STREAMON video%d %s %ux%u %u fps %zu frames", ni, cc, n->width, n->height, n->fps, n->nframes);
        } else {
            /* STREAMOFF returns every buffer to the client, dequeued. */
            n->streaming = 0;
            n->nqueue = n->ndone = 0;
            for (int i = 0; i < n->nbuffers; i++) n->buffers[i].queued = n->buffers[i].done = 0;
            log_line("STREAMOFF video%d", ni);
        }
        return 0;
    }
    default:
        /* Controls, inputs, selection...: what this camera does not implement. */
        return fail(ENOTTY);
    }
}

static int dispatch_ioctl(int fd, unsigned long request, void *arg) {
    int ni = node_of_fd(fd);
    pthread_mutex_lock(&lock);
    int r = handle_ioctl(fd, ni, request, arg);
    int e = errno;
    pthread_mutex_unlock(&lock);
    errno = e;
    return r;
}

/* ---- the intercepted calls ---- */

static int open_node(int ni, int flags) {
    if (unplugged) return fail(ENOENT);
    int fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    if (fd >= 4096) {
        real_close(fd);
        return fail(EMFILE);
    }
    pthread_mutex_lock(&lock);
    struct node *n = &nodes[ni];
    if (!n->powered) {
        /* Power-on format: the first format at its first size. */
        n->powered = 1;
        n->memfd = -1;
        if (node_descs[ni].nformats > 0) {
            const struct format_desc *f = &node_descs[ni].formats[0];
            n->fourcc = f->fourcc, n->width = f->sizes[0].w, n->height = f->sizes[0].h, n->fps = f->sizes[0].fps[0];
        }
    }
    fd_node[fd] = ni + 1;
    fd_nonblock[fd] = (flags & O_NONBLOCK) != 0;
    pthread_mutex_unlock(&lock);
    return fd;
}

/* A memory file holding a node's sysfs name, as the kernel shows it (with a newline). */
static int open_sysfs_name(int ni) {
    if (unplugged) return fail(ENOENT);
    int fd = memfd_create("v4l2shim-name", MFD_CLOEXEC);
    if (fd < 0) return -1;
    char text[128];
    int len = snprintf(text, sizeof text, "%s\n", node_descs[ni].name);
    if (write(fd, text, (size_t)len) != len) {
        real_close(fd);
        return fail(EIO);
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
}

#define OPEN_BODY(call)                                        \
    resolve();                                                 \
    int ni = node_of_path(path);                               \
    if (ni >= 0) return open_node(ni, flags);                  \
    int si = node_of_sysfs_name(path);                         \
    if (si >= 0) return open_sysfs_name(si);                   \
    mode_t mode = 0;                                           \
    if (flags & (O_CREAT | O_TMPFILE)) {                       \
        va_list ap;                                            \
        va_start(ap, flags);                                   \
        mode = va_arg(ap, mode_t);                             \
        va_end(ap);                                            \
    }                                                          \
    return call;

int open(const char *path, int flags, ...) { OPEN_BODY(real_open(path, flags, mode)) }
int open64(const char *path, int flags, ...) { OPEN_BODY(real_open64(path, flags, mode)) }
int openat(int dirfd, const char *path, int flags, ...) { OPEN_BODY(real_openat(dirfd, path, flags, mode)) }
int openat64(int dirfd, const char *path, int flags, ...) { OPEN_BODY(real_openat64(dirfd, path, flags, mode)) }

int close(int fd) {
    resolve();
    int ni = node_of_fd(fd);
    if (ni >= 0) {
        pthread_mutex_lock(&lock);
        fd_node[fd] = 0;
        int still_open = 0;
        for (int i = 0; i < 4096; i++) still_open |= fd_node[i] == ni + 1;
        if (!still_open) {
            /* Last close: the stream stops and the buffers go (the client's own mappings
             * of the memory file stay valid until it unmaps them). */
            nodes[ni].streaming = 0;
            free_buffers(&nodes[ni]);
            unload_frames(&nodes[ni]);
        }
        pthread_mutex_unlock(&lock);
    }
    return real_close(fd);
}

int ioctl(int fd, unsigned long request, ...) {
    resolve();
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (node_of_fd(fd) >= 0) return dispatch_ioctl(fd, request, arg);
    return real_ioctl(fd, request, arg);
}

/* The v4l crate calls ioctl through syscall(SYS_ioctl, ...) (rust-lang/libc#1036). */
long syscall(long number, ...) {
    resolve();
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_ioctl && node_of_fd((int)a[0]) >= 0) return dispatch_ioctl((int)a[0], (unsigned long)a[1], (void *)a[2]);
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void *map_node(void *addr, size_t length, int prot, int flags, int fd, off_t offset, int *handled) {
    int ni = node_of_fd(fd);
    *handled = ni >= 0;
    if (ni < 0) return NULL;
    pthread_mutex_lock(&lock);
    struct node *n = &nodes[ni];
    void *r = MAP_FAILED;
    if (unplugged) {
        errno = ENODEV;
    } else if (n->nbuffers == 0 || n->buffer_length == 0 || offset % n->buffer_length != 0 ||
               offset / n->buffer_length >= n->nbuffers || length > n->buffer_length || !(flags & MAP_SHARED)) {
        errno = EINVAL;
    } else {
        r = real_mmap(addr, length, prot, flags, n->memfd, offset);
        if (r != MAP_FAILED) n->buffers[offset / n->buffer_length].mapped = 1;
    }
    int e = errno;
    pthread_mutex_unlock(&lock);
    errno = e;
    return r;
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    resolve();
    int handled;
    void *r = map_node(addr, length, prot, flags, fd, offset, &handled);
    return handled ? r : real_mmap(addr, length, prot, flags, fd, offset);
}

void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    resolve();
    int handled;
    void *r = map_node(addr, length, prot, flags, fd, offset, &handled);
    return handled ? r : real_mmap64(addr, length, prot, flags, fd, offset);
}

ssize_t read(int fd, void *buf, size_t count) {
    resolve();
    if (node_of_fd(fd) >= 0) {
        errno = unplugged ? ENODEV : EINVAL;
        return -1;
    }
    return real_read(fd, buf, count);
}

/* Readiness of our nodes; 0 when none is ready. */
static short node_events(int ni, short wanted) {
    struct node *n = &nodes[ni];
    if (unplugged) return POLLERR | POLLHUP;
    if (!n->streaming) return POLLERR;
    advance(n);
    return n->ndone > 0 ? (wanted & (POLLIN | POLLRDNORM)) : 0;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout) {
    resolve();
    int ours = 0;
    for (nfds_t i = 0; i < nfds; i++) ours |= node_of_fd(fds[i].fd) >= 0;
    if (!ours) return real_poll(fds, nfds, timeout);
    uint64_t deadline = timeout < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout * 1000000ull;
    for (;;) {
        int ready = 0;
        uint64_t wake = deadline;
        pthread_mutex_lock(&lock);
        for (nfds_t i = 0; i < nfds; i++) {
            int ni = node_of_fd(fds[i].fd);
            if (ni < 0) continue;
            fds[i].revents = node_events(ni, fds[i].events);
            if (fds[i].revents) ready++;
            else if (nodes[ni].streaming && next_due(&nodes[ni]) < wake) wake = next_due(&nodes[ni]);
        }
        pthread_mutex_unlock(&lock);
        for (nfds_t i = 0; i < nfds; i++) {
            if (node_of_fd(fds[i].fd) >= 0) continue;
            struct pollfd one = fds[i];
            if (real_poll(&one, 1, 0) > 0) ready++;
            fds[i].revents = one.revents;
        }
        uint64_t now = now_ns();
        if (ready || now >= deadline) return ready;
        /* Others' fds are rechecked at least every 5 ms. */
        uint64_t wait = wake - now;
        if (wait > 5000000ull) wait = 5000000ull;
        struct timespec t = {0, (long)wait};
        nanosleep(&t, NULL);
    }
}

/* /dev as listed: the real entries without any real video node, then ours. */
#define MAX_DIRS 16
static DIR *dev_dirs[MAX_DIRS];
static int dev_dir_next[MAX_DIRS];
static struct dirent dev_entry[MAX_DIRS];
static struct dirent64 dev_entry64[MAX_DIRS];

DIR *opendir(const char *name) {
    resolve();
    DIR *d = real_opendir(name);
    if (d && (strcmp(name, "/dev") == 0 || strcmp(name, "/dev/") == 0)) {
        pthread_mutex_lock(&lock);
        for (int i = 0; i < MAX_DIRS; i++)
            if (!dev_dirs[i]) {
                dev_dirs[i] = d;
                dev_dir_next[i] = 0;
                break;
            }
        pthread_mutex_unlock(&lock);
    }
    return d;
}

static int dev_slot(DIR *d) {
    for (int i = 0; i < MAX_DIRS; i++)
        if (dev_dirs[i] == d) return i;
    return -1;
}

/* readdir and readdir64 differ only in their entry type: the real entries without any real
 * video node, then ours, one per call. */
#define READDIR_BODY(real, entries)                                                        \
    resolve();                                                                             \
    pthread_mutex_lock(&lock);                                                             \
    int s = dev_slot(d);                                                                   \
    pthread_mutex_unlock(&lock);                                                           \
    if (s < 0) return real(d);                                                             \
    __typeof__(real(d)) e;                                                                 \
    while ((e = real(d)) && strncmp(e->d_name, "video", 5) == 0) {}                        \
    if (e) return e;                                                                       \
    if (unplugged || dev_dir_next[s] >= NODES) return NULL;                                \
    memset(&entries[s], 0, sizeof entries[s]);                                             \
    entries[s].d_type = DT_CHR;                                                            \
    snprintf(entries[s].d_name, sizeof entries[s].d_name, "video%d", dev_dir_next[s]++);   \
    entries[s].d_ino = 1000000u + (unsigned)dev_dir_next[s];                               \
    return &entries[s];

struct dirent *readdir(DIR *d) { READDIR_BODY(real_readdir, dev_entry) }

struct dirent64 *readdir64(DIR *d) { READDIR_BODY(real_readdir64, dev_entry64) }

int closedir(DIR *d) {
    resolve();
    pthread_mutex_lock(&lock);
    int s = dev_slot(d);
    if (s >= 0) dev_dirs[s] = NULL;
    pthread_mutex_unlock(&lock);
    return real_closedir(d);
}
