/* valgrind 3.19 (Debian 12) writes to rt_sigsuspend's mask argument and dies
 * with SIGSEGV when a program passes a mask in read-only memory, as something
 * in the Swift libraries does at start-up. This sigsuspend copies the mask
 * first. Build and use:
 *   gcc -O2 -shared -fPIC benchmarks/valgrind-sigsuspend.c -o /tmp/sigsuspend.so
 *   strip --strip-debug -o /tmp/duet .build/release/duet   # valgrind 3.19 cannot read Swift 6.3's DWARF 5
 *   LD_PRELOAD=/tmp/sigsuspend.so valgrind --tool=callgrind --separate-threads=yes /tmp/duet import …
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy;
    memcpy(&copy, mask, sizeof copy);
    return (int)syscall(SYS_rt_sigsuspend, &copy, 8);
}
