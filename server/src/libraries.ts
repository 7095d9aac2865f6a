/**
 * Libraries that only workbooks, imports and bulletins use, loaded the first time one is made:
 * imported with the rest, exceljs took 0.47 s and pdfkit 0.27 s at every start of the server and of
 * every gridgov command.
 */
export const loadExcelJs = async () => (await import("exceljs")).default;
export const loadPdfKit = async () => (await import("pdfkit")).default;
