export const placeholderForInstall = 1;
