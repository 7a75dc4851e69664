# The Debian 12 package, built by CPack without debhelper: `cpack -G DEB` in the build folder
# makes motcua-watch_<version>_<arch>.deb (README "Install on Debian 12 (systemd)").
# It holds the two binaries, the unit, sysusers.d and tmpfiles.d files, the docs, and
# /etc/motcua-watch/config.toml as a conffile; the maintainer scripts in systemd/debian/ create
# the account and folders and leave starting the service to the operator.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME motcua-watch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Trung tâm CNTT tỉnh <motcua-watch@example.gov.vn>"
    CACHE STRING "Maintainer of the Debian package (Name <e-mail>)")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "watch administrative-procedure dossiers and alert agencies before they are late")
set(CPACK_PACKAGE_DESCRIPTION
    "motcua-watch polls a Vietnamese province's one-stop electronic system and the
public-service portal, evaluates the legal deadlines of every dossier in working
time (holidays and make-up working days included), and alerts the responsible
agency by e-mail and webhook when a dossier is due soon, overdue, or late
without the required apology letter. It runs as a systemd service with a
status API and Prometheus metrics.")
# A package's binaries carry no debug info (Debian strips them into -dbgsym packages; we ship
# none) and the build's RelWithDebInfo binaries are several times larger.
set(CPACK_STRIP_FILES ON)

# The package installs the unbundled runtime components and the /etc conffile as one .deb;
# a plain `cmake --install` leaves the conffile out (systemd/CMakeLists.txt).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified conffile)

set(CPACK_DEBIAN_PACKAGE_NAME motcua-watch)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# libc, libssl, libsqlite3, libstdc++ … from dpkg-shlibdeps; systemd for the unit, sysusers and
# tmpfiles the maintainer scripts run.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/systemd/debian/postinst
    ${PROJECT_SOURCE_DIR}/systemd/debian/prerm
    ${PROJECT_SOURCE_DIR}/systemd/debian/postrm
    ${PROJECT_SOURCE_DIR}/systemd/debian/conffiles)
# 0755 scripts and 0644 conffiles whatever the checkout's modes, as lintian expects.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
