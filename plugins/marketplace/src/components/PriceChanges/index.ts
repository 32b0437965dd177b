export { PriceChangeNotice } from './PriceChangeNotice';
