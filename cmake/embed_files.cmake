# Turns data files into a C source file, so that the program carries them.
# Run as: cmake -DBASE=dir -DFILES=a,b -DOUT=file.c -P embed_files.cmake
# Each file becomes { "name", bytes, length } in embedded_files[]; the bytes
# are NUL-terminated (not counted in the length) so that text can be used as is.
set(body "/* Generated from data/ and web/ by cmake/embed_files.cmake. */\n#include \"embedded.h\"\n\n")
string(REPLACE "," ";" FILES "${FILES}")
set(table "")
set(i 0)
foreach(name ${FILES})
  file(READ "${BASE}/${name}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "static const unsigned char f${i}[] = { ${bytes} 0 };\n")
  string(APPEND table "\t{ \"${name}\", f${i}, ${len} },\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "\nconst struct embedded_file embedded_files[] = {\n${table}\t{ 0, 0, 0 }\n};\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
