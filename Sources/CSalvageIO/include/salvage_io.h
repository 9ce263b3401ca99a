#ifndef SALVAGE_IO_H
#define SALVAGE_IO_H
#include <stddef.h>
#include <sys/types.h>

/// copy_file_range(2) from the current offsets of both descriptors (glibc declares it only
/// under _GNU_SOURCE, which Swift's Glibc module does not set). -1 with errno on failure,
/// ENOSYS where the system has no such call.
ssize_t salvage_copy_file_range(int fd_in, int fd_out, size_t len);

/// fallocate(2) with mode 0 over [0, len): reserves the blocks without writing them. -1 with
/// errno on failure (EOPNOTSUPP where the filesystem or system cannot).
int salvage_fallocate(int fd, long long len);

#endif
