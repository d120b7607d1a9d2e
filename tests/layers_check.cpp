// Linked with one library layer whole (every object, used or not) and only the layers below it: if
// any object of that layer calls up into a higher layer, this program does not link
// (tests/CMakeLists.txt, docs/ARCHITECTURE.md).
int main() { return 0; }
