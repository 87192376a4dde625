// Byte values the tokenizers and the sniffer look for (ASCII, so they never occur inside a UTF-8 sequence).

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
