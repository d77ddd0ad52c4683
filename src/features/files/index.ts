export { FileService, type ContextOptions, type FileDownload, type FileServiceDependencies } from './file.service.js';
export { fileIdParams, fileViewSchema, uploadFileBody, type FileView, type TurnFile } from './file.schemas.js';
export { TEXT_LIMIT_CHARACTERS, extractText, type ExtractedText } from './text-extraction.js';
export { checkDeclaredUploadLength, storeUpload, type StoredUpload, type UploadInput } from './stored-upload.js';
