/* The version of discolog; see the README changelog. */
#ifndef VERSION_H
#define VERSION_H

#define DISCOLOG_VERSION "0.1.0"

#endif
