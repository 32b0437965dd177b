export {
  isLive,
  PublicationBanner,
  PublicationChip,
} from './PublicationStatus';
