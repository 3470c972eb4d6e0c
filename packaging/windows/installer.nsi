; The per-user Windows installer of Sciatica Timer (NSIS 3, Debian's `nsis` package).
; build.sh runs: makensis -DNAME=... -DVERSION=... -DVERSION4=a.b.c.d -DAPPDIR=<one-folder app>
;                         -DICON=<.ico> -DOUTFILE=<setup.exe> installer.nsi
;
; Installs for the current user only (no administrator rights): the app into
; %LOCALAPPDATA%\Programs\Sciatica Timer, a Start-menu entry, and an entry in Settings > Apps
; (HKCU). The uninstaller removes all of that and leaves the user's journal, library and
; settings (%LOCALAPPDATA%\sciatica-timer, platformdirs' user data folder) unless asked:
; it asks when run by hand; silently, `Uninstall.exe /S` keeps them and
; `Uninstall.exe /S /DELETEDATA` deletes them too.

Target amd64-unicode ; a 64-bit installer for the 64-bit app (wine64 runs no 32-bit programs)
SetCompressor /SOLID lzma
RequestExecutionLevel user
ManifestDPIAware true

!define DISPLAY_NAME "Sciatica Timer"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${NAME}"
!define DATA_DIR "$LOCALAPPDATA\${NAME}"

!include "MUI2.nsh"
!include "FileFunc.nsh"

Name "${DISPLAY_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${DISPLAY_NAME}"
InstallDirRegKey HKCU "Software\${NAME}" "InstallDir"
BrandingText "${DISPLAY_NAME} ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "${DISPLAY_NAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${DISPLAY_NAME} ${VERSION} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${DISPLAY_NAME}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "MIT licence"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${NAME}.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${DISPLAY_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "Install"
    SetShellVarContext current
    ; A new version replaces the old one's files (none of the user's data is here).
    RMDir /r "$INSTDIR\_internal"
    SetOutPath "$INSTDIR"
    File /r "${APPDIR}\*.*"
    WriteUninstaller "$INSTDIR\Uninstall.exe"

    CreateShortcut "$SMPROGRAMS\${DISPLAY_NAME}.lnk" "$INSTDIR\${NAME}.exe" "" \
        "$INSTDIR\${NAME}.exe" 0 SW_SHOWNORMAL "" "A hands-free timer for sciatica exercises"

    WriteRegStr HKCU "Software\${NAME}" "InstallDir" "$INSTDIR"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${DISPLAY_NAME}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${DISPLAY_NAME}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${NAME}.exe,0"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
    WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
    ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
    IntFmt $0 "0x%08X" $0
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
    SetShellVarContext current
    Delete "$SMPROGRAMS\${DISPLAY_NAME}.lnk"
    RMDir /r "$INSTDIR\_internal"
    Delete "$INSTDIR\${NAME}.exe"
    Delete "$INSTDIR\${NAME}-cli.exe"
    Delete "$INSTDIR\Uninstall.exe"
    RMDir "$INSTDIR" ; only if empty: never a folder holding someone else's files
    DeleteRegKey HKCU "${UNINSTALL_KEY}"
    DeleteRegKey HKCU "Software\${NAME}"

    ; The user's journal, library and settings stay unless asked.
    ${GetParameters} $0
    ClearErrors
    ${GetOptions} $0 "/DELETEDATA" $1
    IfErrors 0 delete_data
    IfFileExists "${DATA_DIR}\*.*" 0 done
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
        "Also delete your sessions, your own routines and your settings?$\r$\n$\r$\n${DATA_DIR}$\r$\n$\r$\nChoose No to keep them for a later install." \
        /SD IDNO IDYES delete_data
    Goto done
  delete_data:
    RMDir /r "${DATA_DIR}"
  done:
SectionEnd
