/** The part of pngjs (pure-JS PNG encoder/decoder, no native code) the chart uses. */
declare module 'pngjs' {
  export class PNG {
    constructor(options: { width: number; height: number; colorType?: number; inputHasAlpha?: boolean });
    readonly width: number;
    readonly height: number;
    /** RGBA, 4 bytes per pixel, row by row. */
    data: Buffer;
    static sync: {
      write(png: PNG, options?: { colorType?: number }): Buffer;
      read(buffer: Buffer): PNG;
    };
  }
}
