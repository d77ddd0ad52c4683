export { OrganizationService, type CreatedOrganization } from './organization.service.js';
export {
  accountSchema,
  organizationParametersSchema,
  updateAccountBody,
  type AccountView,
  type BalanceChange,
  type OrganizationParameters,
} from './organization.schemas.js';
