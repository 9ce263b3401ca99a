#ifndef SALVAGE_IO_H
#define SALVAGE_IO_H
#include <stddef.h>
#include <sys/types.h>

/// copy_file_range(2) between explicit offsets (advanced by the bytes copied); the
/// descriptors' own offsets are untouched (glibc declares the call only under _GNU_SOURCE,
/// which Swift's Glibc module does not set). -1 with errno on failure, ENOSYS where the
/// system has no such call.
ssize_t salvage_copy_file_range_at(int fd_in, long long *off_in, int fd_out, long long *off_out, size_t len);

/// fallocate(2) with mode 0 over [0, len): reserves the blocks without writing them. -1 with
/// errno on failure (EOPNOTSUPP where the filesystem or system cannot).
int salvage_fallocate(int fd, long long len);

/// Starts writing [offset, offset + len) of the file back to its disk and returns without
/// waiting (sync_file_range(2) with SYNC_FILE_RANGE_WRITE): a later fsync then waits only for
/// what is still in flight. -1 with errno (ENOSYS where the system has no such call).
int salvage_start_writeback(int fd, long long offset, long long len);

#endif
