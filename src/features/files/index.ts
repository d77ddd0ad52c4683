export { FileService, type ContextOptions, type FileDownload, type FileServiceDependencies } from './file.service.js';
export { fileIdParams, fileViewSchema, uploadFileBody, type FileView, type TurnFile } from './file.schemas.js';
export { TEXT_LIMIT_CHARACTERS } from './text-extraction.js';
