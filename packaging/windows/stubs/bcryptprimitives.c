/* A stand-in for Windows 10's bcryptprimitives.dll, which wine 8 does not have: the Rust
 * standard library (in rpds-py, a dependency of jsonschema) asks it for random bytes with
 * ProcessPrng. This one takes them from wine's bcrypt.dll (the system's preferred RNG).
 * Built by env.sh with mingw-w64 into the wine prefix's system32 only; never shipped. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
