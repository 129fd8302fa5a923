/* version.h - the program's version, set by the build. */
#ifndef SIGNAAL_VERSION_H
#define SIGNAAL_VERSION_H

#ifndef SIGNAAL_VERSION
#define SIGNAAL_VERSION "0.1.0-dev"
#endif

#endif
