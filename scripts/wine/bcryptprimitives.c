/* Debian's Wine 8.0 has no bcryptprimitives.dll, whose ProcessPrng Rust's
 * standard library calls on Windows 10 and later (where the DLL always
 * exists). For the Wine test run only, this stand-in answers ProcessPrng
 * with advapi32's RtlGenRandom; it is never shipped with the program. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
