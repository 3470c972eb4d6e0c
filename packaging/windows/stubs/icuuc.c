/* A stand-in for Windows 10's icuuc.dll, which wine 8 does not have: Qt6Core.dll imports
 * the ucnv_* converter functions from it. Every converter fails to open, so Qt uses its own
 * codecs (UTF-8, UTF-16, Latin-1: all this app reads or writes). Built by env.sh with
 * mingw-w64 into the wine prefix's system32 only; never shipped. */
#include <stddef.h>
#include <stdint.h>

#define EXPORT __declspec(dllexport)
typedef int32_t UErrorCode;
typedef uint16_t UChar;
typedef void UConverter;
typedef void (*Callback)(void);
enum { U_FILE_ACCESS_ERROR = 4, U_UNSUPPORTED_ERROR = 16 };

static void fail(UErrorCode *err, UErrorCode code) {
    if (err && *err <= 0) *err = code;
}

EXPORT UConverter *ucnv_open(const char *name, UErrorCode *err) {
    (void)name;
    fail(err, U_FILE_ACCESS_ERROR);
    return NULL;
}
EXPORT void ucnv_close(UConverter *c) { (void)c; }
EXPORT void ucnv_reset(UConverter *c) { (void)c; }
EXPORT int8_t ucnv_getMaxCharSize(const UConverter *c) { (void)c; return 1; }
EXPORT const char *ucnv_getName(const UConverter *c, UErrorCode *err) {
    (void)c;
    fail(err, U_UNSUPPORTED_ERROR);
    return NULL;
}
EXPORT void ucnv_getToUCallBack(const UConverter *c, Callback *action, const void **context) {
    (void)c;
    if (action) *action = NULL;
    if (context) *context = NULL;
}
EXPORT void ucnv_getFromUCallBack(const UConverter *c, Callback *action, const void **context) {
    ucnv_getToUCallBack(c, action, context);
}
EXPORT void ucnv_setToUCallBack(UConverter *c, Callback action, const void *context,
                                Callback *old, const void **oldContext, UErrorCode *err) {
    (void)action, (void)context;
    ucnv_getToUCallBack(c, old, oldContext);
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_setFromUCallBack(UConverter *c, Callback action, const void *context,
                                  Callback *old, const void **oldContext, UErrorCode *err) {
    ucnv_setToUCallBack(c, action, context, old, oldContext, err);
}
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const UChar *units,
                                            int32_t length, int32_t codePoint, int reason,
                                            UErrorCode *err) {
    (void)context, (void)args, (void)units, (void)length, (void)codePoint, (void)reason;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *context, void *args, const char *units,
                                          int32_t length, int reason, UErrorCode *err) {
    (void)context, (void)args, (void)units, (void)length, (void)reason;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_cbToUWriteUChars(void *args, const UChar *source, int32_t length,
                                  int32_t offsetIndex, UErrorCode *err) {
    (void)args, (void)source, (void)length, (void)offsetIndex;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_cbFromUWriteUChars(void *args, const UChar **source, const UChar *limit,
                                    int32_t offsetIndex, UErrorCode *err) {
    (void)args, (void)source, (void)limit, (void)offsetIndex;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_toUnicode(UConverter *c, UChar **target, const UChar *targetLimit,
                           const char **source, const char *sourceLimit, int32_t *offsets,
                           int8_t flush, UErrorCode *err) {
    (void)c, (void)target, (void)targetLimit, (void)source, (void)sourceLimit, (void)offsets,
        (void)flush;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT void ucnv_fromUnicode(UConverter *c, char **target, const char *targetLimit,
                             const UChar **source, const UChar *sourceLimit, int32_t *offsets,
                             int8_t flush, UErrorCode *err) {
    (void)c, (void)target, (void)targetLimit, (void)source, (void)sourceLimit, (void)offsets,
        (void)flush;
    fail(err, U_UNSUPPORTED_ERROR);
}
EXPORT int32_t ucnv_toUCountPending(const UConverter *c, UErrorCode *err) {
    (void)c, (void)err;
    return 0;
}
EXPORT int32_t ucnv_fromUCountPending(const UConverter *c, UErrorCode *err) {
    (void)c, (void)err;
    return 0;
}
EXPORT const char *ucnv_getStandardName(const char *name, const char *standard, UErrorCode *err) {
    (void)name, (void)standard, (void)err;
    return NULL;
}
EXPORT const char *ucnv_getAvailableName(int32_t n) { (void)n; return NULL; }
EXPORT int32_t ucnv_countAvailable(void) { return 0; }
