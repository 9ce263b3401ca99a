#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
#include "salvage_io.h"

ssize_t salvage_copy_file_range_at(int fd_in, long long *off_in, int fd_out, long long *off_out, size_t len) {
#ifdef __linux__
  loff_t in = *off_in, out = *off_out;
  ssize_t n = copy_file_range(fd_in, &in, fd_out, &out, len, 0);
  *off_in = in;
  *off_out = out;
  return n;
#else
  (void)fd_in; (void)off_in; (void)fd_out; (void)off_out; (void)len;
  errno = ENOSYS;
  return -1;
#endif
}
