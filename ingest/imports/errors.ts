import { StockflowError } from '../../lib/errors.js';

/** A file that cannot be read as its declared kind at all: the import fails and keeps nothing. */
export class ImportFileError extends StockflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VALIDATION_FAILED', message, options);
  }
}
